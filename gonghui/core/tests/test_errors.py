"""FieldErrors: collect every field's problems over one input, then refuse it once."""

from __future__ import annotations

import pytest
from django.utils import translation

from gonghui.core.errors import FieldErrors, ValidationFailed


def test_nothing_added_raises_nothing_and_is_false() -> None:
    errors = FieldErrors()

    errors.raise_if_any()

    assert not errors


def test_messages_collect_per_field_in_order_and_raise_with_the_summary() -> None:
    # Given two problems with one field and one with another
    errors = FieldErrors()
    errors.add("name", "请填写姓名")
    errors.add("name", "姓名太长")
    errors.add("mobile", "号码无效")

    # When the input is refused
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as caught:
        errors.raise_if_any()

    # Then all of them travel in one error, under the usual summary
    assert errors
    assert caught.value.fields == {"name": ["请填写姓名", "姓名太长"], "mobile": ["号码无效"]}
    assert caught.value.message == "部分数据有误，请查看各字段的提示。"
    assert caught.value.status == 422


def test_replace_drops_the_fields_earlier_messages() -> None:
    errors = FieldErrors()
    errors.add("parent", "类型不符")

    errors.replace("parent", "上级无审批权")

    assert errors.fields == {"parent": ["上级无审批权"]}


def test_a_summary_of_ones_own_can_be_given() -> None:
    errors = FieldErrors()
    errors.add("on", "日期不能晚于今天")

    with pytest.raises(ValidationFailed) as caught:
        errors.raise_if_any("请检查日期")

    assert caught.value.message == "请检查日期"
