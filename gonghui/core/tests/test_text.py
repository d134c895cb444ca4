from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.text import mask_name, normalize_name, normalize_text


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("ＡＢＣ ａｂｃ ０１２３４５６７８９", "ABC abc 0123456789"),
        ("ｅｍａｉｌ＠ｅｘａｍｐｌｅ．ｃｏｍ", "email@example.com"),
        ("＋８６－１３８", "+86-138"),
        ("  leading and trailing  ", "leading and trailing"),
        ("宁波市\u3000海曙区", "宁波市 海曙区"),
        ("a\u00a0b\u2003c\u202fd", "a b c d"),
        ("line one\r\nline two\ttab", "line one line two tab"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("a \u200b b", "a b"),
        ("", ""),
    ],
)
def test_full_width_forms_and_whitespace_are_normalised(typed: str, normalised: str) -> None:
    assert normalize_text(typed) == normalised


@pytest.mark.parametrize(
    "chinese",
    [
        "你好，世界！",
        "宁波市（海曙区）",
        "问题：为什么？答；因为。",
        "3～5人",
        "“引号”《书名》【括号】、顿号……破折号——",
    ],
)
def test_chinese_punctuation_is_kept(chinese: str) -> None:
    assert normalize_text(chinese) == chinese


def test_rare_characters_in_names_are_not_replaced_by_their_unified_twins() -> None:
    compatibility_ideograph = "\uf9a4"
    assert unicodedata.normalize("NFC", compatibility_ideograph) == "\u637b"

    assert normalize_text(compatibility_ideograph) == compatibility_ideograph


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("张三", "张三"),
        ("张 三", "张三"),
        ("张\u3000\u3000三", "张三"),
        (" 欧阳 娜娜 ", "欧阳娜娜"),
        ("阿卜杜·热合曼", "阿卜杜·热合曼"),
        ("阿卜杜•热合曼", "阿卜杜·热合曼"),
        ("阿卜杜．热合曼", "阿卜杜·热合曼"),
        ("阿卜杜.热合曼", "阿卜杜·热合曼"),
        ("阿卜杜・热合曼", "阿卜杜·热合曼"),
        ("阿卜杜 ‧ 热合曼", "阿卜杜·热合曼"),
        ("John Smith", "John Smith"),
        ("John F. Kennedy", "John F. Kennedy"),
        ("ＪＯＨＮ", "JOHN"),
    ],
)
def test_names_are_normalised(typed: str, normalised: str) -> None:
    assert normalize_name(typed) == normalised


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("王小明", "王**"),
        ("欧阳娜娜", "欧***"),
        ("阿卜杜·热合曼", "阿******"),
        ("张", "*"),
        ("", ""),
        (" 张 三 ", "张*"),
    ],
)
def test_names_are_masked_to_their_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@given(st.text())
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)

    assert normalize_text(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.text(alphabet=st.sampled_from("张三欧阳娜 ·•.．・\u3000abJ")) | st.text())
def test_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)

    assert normalize_name(once) == once


@given(st.text())
def test_mask_name_reveals_only_the_first_character(name: str) -> None:
    normalised = normalize_name(name)

    masked = mask_name(name)

    assert len(masked) == len(normalised)
    if len(normalised) > 1:
        assert masked[0] == normalised[0]
    assert set(masked[1:] if len(normalised) > 1 else masked) <= {"*"}
