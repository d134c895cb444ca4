"""The shared components in gonghui/templates/components/, rendered the way modules use them."""

from __future__ import annotations

import re

from django import forms
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


class SampleForm(forms.Form):
    name = forms.CharField(label="姓名", help_text="与身份证一致")
    note = forms.CharField(label="备注", required=False)
    agree = forms.BooleanField(label="同意")
    kind = forms.ChoiceField(label="类型", choices=[("a", "甲"), ("b", "乙")], widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("整体校验失败")


def _render(name: str, context: dict[str, object], path: str = "/x/") -> str:
    request = RequestFactory().get(path)
    return render_to_string(f"components/{name}", context, request=request)


def test_form_ties_labels_help_and_errors_to_their_inputs():
    form = SampleForm(data={"note": "x"})
    assert not form.is_valid()
    html = _render("form.html", {"form": form, "submit_label": "提交"})
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'role="alert"' in html
    assert "整体校验失败" in html
    assert '<label for="id_name">姓名<span class="required" aria-hidden="true">*</span></label>' in html
    assert '<label for="id_note">备注</label>' in html
    match = re.search(r"<input[^>]*id=\"id_name\"[^>]*>", html)
    assert match
    name_input = match.group(0)
    assert 'aria-invalid="true"' in name_input
    assert 'aria-describedby="id_name_helptext id_name_error"' in name_input
    assert 'id="id_name_helptext"' in html
    assert 'id="id_name_error"' in html
    assert re.search(r'<fieldset aria-describedby="id_kind_error">\s*<legend>类型', html)
    assert 'type="hidden" name="token"' in html
    assert ">提交</button>" in html
    assert " style=" not in html


def test_form_with_get_has_no_csrf_token_and_a_default_label():
    html = _render("form.html", {"form": SampleForm(), "method": "get", "cancel_url": "/back/"})
    assert "csrfmiddlewaretoken" not in html
    assert 'role="alert"' not in html
    assert ">Save</button>" in html or ">保存</button>" in html
    assert 'href="/back/"' in html


def test_table_renders_rows_sort_links_and_row_links():
    rows = [
        {"name": "甲工会", "members": 10, "url": "/orgs/1/", "chair": {"name": "张三"}},
        {"name": "乙工会", "members": None, "url": "/orgs/2/", "chair": None},
    ]
    columns = [
        {"key": "name", "label": "名称", "sort": "name"},
        {"key": "members", "label": "会员数"},
        {"key": "chair.name", "label": "主席"},
    ]
    html = _render(
        "table.html",
        {
            "table_id": "orgs",
            "caption": "组织",
            "columns": columns,
            "rows": rows,
            "row_link": "url",
            "sort": "name",
        },
        path="/orgs/?q=工会&page=3",
    )
    assert '<div id="orgs" class="table-container" hx-target="this" hx-select="#orgs"' in html
    assert '<caption id="orgs-caption">组织</caption>' in html
    assert 'aria-sort="ascending"' in html
    # Sorting keeps the filter and goes back to the first page.
    assert 'href="?q=%E5%B7%A5%E4%BC%9A&amp;sort=-name"' in html
    assert 'hx-get="?q=%E5%B7%A5%E4%BC%9A&amp;sort=-name"' in html
    assert '<a href="/orgs/1/">甲工会</a>' in html
    assert "张三" in html
    assert html.count('<span class="muted">—</span>') == 2


def test_table_without_rows_shows_the_empty_state():
    html = _render(
        "table.html", {"caption": "组织", "columns": [], "rows": [], "empty_message": "还没有组织"}
    )
    assert "还没有组织" in html
    assert "<table" not in html


def test_pagination_with_a_page_object_keeps_other_parameters():
    page = Paginator(list(range(95)), 10).page(2)
    html = _render("pagination.html", {"page_obj": page}, path="/m/?q=x&page=2")
    assert 'href="?q=x&amp;page=1"' in html
    assert 'href="?q=x&amp;page=3"' in html
    assert re.search(r"(Page 2 of 10|第 2 页，共 10 页)", html)


def test_pagination_keyset_variant():
    html = _render("pagination.html", {"next_cursor": 41, "cursor": 91}, path="/a/?cursor=91&sort=x")
    assert 'href="?cursor=41&amp;sort=x"' in html
    assert 'href="?sort=x"' in html  # back to the first page
    assert _render("pagination.html", {"next_cursor": None, "cursor": None}).strip() == ""


def test_progress_polls_until_the_job_is_finished():
    running = _render(
        "progress.html",
        {
            "job_id": 7,
            "poll_url": "/jobs/7/progress/",
            "percent": 42.4,
            "label": "导入花名册",
            "status": "running",
        },
    )
    assert 'hx-get="/jobs/7/progress/"' in running
    assert 'hx-trigger="every 1s"' in running
    assert '<progress id="job-7-bar" value="42" max="100">' in running
    assert '<label for="job-7-bar"' in running
    done = _render(
        "progress.html",
        {
            "job_id": 7,
            "poll_url": "/jobs/7/progress/",
            "percent": 100,
            "label": "导入花名册",
            "status": "SUCCEEDED",
            "result_url": "/jobs/7/",
        },
    )
    assert "hx-get" not in done
    assert 'href="/jobs/7/"' in done


def test_toast_renders_messages_in_a_live_region():
    messages = [Message(constants.SUCCESS, "已保存"), Message(constants.ERROR, "出错了")]
    html = _render("toast.html", {"messages": messages})
    assert 'id="toasts"' in html
    assert 'aria-live="polite"' in html
    assert "toast--success" in html
    assert "toast--error" in html
    assert html.count('x-data="toast"') == 2
    assert html.count('@click="dismiss"') == 2


def test_empty_state_with_an_action():
    html = _render("empty_state.html", {"message": "暂无", "action_url": "/new/", "action_label": "新建"})
    assert 'href="/new/"' in html
    assert "新建" in html
