"""show_domain_error: a service's refusal lands next to the fields it names, the rest on top;
the documents field takes several files."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.datastructures import MultiValueDict

from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.forms import documents_field, show_domain_error


class _NameForm(forms.Form):
    name = forms.CharField()
    mobile = forms.CharField(required=False)


def _bound() -> _NameForm:
    form = _NameForm({"name": "王五", "mobile": ""})
    assert form.is_valid()
    return form


def test_field_messages_go_next_to_their_fields_and_the_summary_is_not_repeated() -> None:
    # Given a service error naming two of the form's fields
    form = _bound()
    error = ValidationFailed(
        "部分数据有误", fields={"name": ["姓名太长"], "mobile": ["号码无效", "已被占用"]}
    )

    # When it is shown on the form
    show_domain_error(form, error)

    # Then every message stands next to its field, and nothing above the form
    assert form.errors["name"] == ["姓名太长"]
    assert form.errors["mobile"] == ["号码无效", "已被占用"]
    assert form.non_field_errors() == []


def test_a_field_the_form_does_not_have_goes_above_the_form() -> None:
    form = _bound()

    show_domain_error(form, ValidationFailed("部分数据有误", fields={"to_org": ["请选择工会"]}))

    assert form.non_field_errors() == ["请选择工会"]
    assert "to_org" not in form.errors


def test_an_error_without_fields_shows_its_message_above_the_form() -> None:
    form = _bound()

    show_domain_error(form, Conflict("该会员已转出"))

    assert form.non_field_errors() == ["该会员已转出"]


def test_a_field_listed_without_messages_still_shows_the_error() -> None:
    # A refusal must never leave the form looking valid.
    form = _bound()

    show_domain_error(form, ValidationFailed("手机号无效", fields={"mobile": []}))

    assert form.errors["mobile"] == ["手机号无效"]


def test_aliases_map_the_services_names_to_the_forms_fields() -> None:
    # Given a service that calls the field "answers.0.note" and a form that calls it "name"
    form = _bound()
    error = ValidationFailed("部分数据有误", fields={"answers.0.note": ["太长"], "mobile": ["无效"]})

    # When it is shown with an alias for the one and none for the other
    show_domain_error(form, error, {"answers.0.note": "name"})

    # Then the aliased message is at the aliased field and the other at its own
    assert form.errors["name"] == ["太长"]
    assert form.errors["mobile"] == ["无效"]
    assert form.non_field_errors() == []


def test_a_documents_field_takes_several_files_and_asks_for_one_when_required() -> None:
    class Upload(forms.Form):
        documents = documents_field(required=True)

    files: list[UploadedFile] = [SimpleUploadedFile(name, b"%PDF-1.4") for name in ("a.pdf", "b.pdf")]
    form = Upload(data={}, files=MultiValueDict({"documents": files}))
    assert form.is_valid()
    assert [upload.name for upload in form.cleaned_data["documents"]] == ["a.pdf", "b.pdf"]
    assert not Upload(data={}, files=MultiValueDict()).is_valid()
