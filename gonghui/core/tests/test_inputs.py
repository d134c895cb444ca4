from __future__ import annotations

import pytest
from django import forms
from ninja import Schema
from pydantic import ValidationError as SchemaError

from gonghui.core.inputs import CleanCharField, CleanText


class NameForm(forms.Form):
    name = CleanCharField(max_length=10)


class NameIn(Schema):
    name: CleanText


@pytest.mark.parametrize(
    ("typed", "clean"),
    [("  张三　 ", "张三"), ("ＡＢＣ１２３", "ABC123"), ("a \t b\n c", "a b c")],
)
def test_forms_and_schemas_clean_text_the_same_way(typed, clean):
    form = NameForm({"name": typed})
    assert form.is_valid()
    assert form.cleaned_data["name"] == clean
    assert NameIn(name=typed).name == clean


@pytest.mark.parametrize("typed", ["a\x00b", "a\x07b", "\x1b[31m"])
def test_control_characters_are_refused_with_a_message_in_both(typed):
    form = NameForm({"name": typed})
    assert not form.is_valid()
    assert form.errors["name"]
    with pytest.raises(SchemaError):
        NameIn(name=typed)


def test_length_limits_apply_after_cleaning():
    assert NameForm({"name": "  " + "x" * 10 + "  "}).is_valid()
    assert not NameForm({"name": "x" * 11}).is_valid()
    assert not NameForm({"name": "　　"}).is_valid()
