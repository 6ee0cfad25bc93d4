"""Wrapped line counts and row heights for the spreadsheets that do not fit rows themselves."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.text_width import columns_for, display_width, row_height, wrapped_line_count


def test_cjk_and_full_width_characters_count_double() -> None:
    assert display_width("abc") == 3
    assert display_width("完成方案") == 8
    assert display_width("（１）") == 6  # full-width brackets and digit
    assert display_width("2017年") == 6


def test_wrapping_counts_lines_at_the_column_width() -> None:
    assert wrapped_line_count("", 10) == 1
    assert wrapped_line_count("完成方案编制", 12) == 1  # 12 columns exactly
    assert wrapped_line_count("完成方案编制。", 12) == 2
    assert wrapped_line_count("完" * 30, 20) == 3  # 60 columns over 20
    assert wrapped_line_count("完" * 30, 21) == 3  # a wide character never straddles the edge


def test_explicit_line_breaks_count() -> None:
    assert wrapped_line_count("一\n二\n三", 40) == 3
    assert wrapped_line_count("一\r\n\r\n三", 40) == 3
    assert wrapped_line_count("完" * 15 + "\n短", 20) == 3


def test_latin_words_are_kept_whole() -> None:
    # "hello world" at 8 columns: "hello " then "world" (a word does not break mid-way).
    assert wrapped_line_count("hello world", 8) == 2
    assert wrapped_line_count("hello world", 11) == 1
    # A word wider than the column is broken where it must be.
    assert wrapped_line_count("x" * 25, 10) == 3


def test_a_narrow_column_still_holds_a_character_a_line() -> None:
    assert wrapped_line_count("完成", 1) == 2


@settings(deadline=None)
@given(st.text(alphabet="完成方案ab １（）\n", max_size=80), st.integers(min_value=2, max_value=60))
def test_lines_are_at_least_the_width_over_the_capacity(text: str, columns: int) -> None:
    lines = wrapped_line_count(text, columns)
    longest = max(display_width(line.replace(" ", "")) for line in text.split("\n"))  # spaces may hang
    assert lines >= text.count("\n") + 1
    assert lines >= -(-longest // columns)  # never fewer lines than the widest paragraph needs
    assert lines <= sum(max(1, display_width(line)) for line in text.split("\n"))


def test_column_units_and_row_heights() -> None:
    # A 42-unit column at 10 pt holds about 43 half-width columns (21 Chinese characters).
    assert 40 <= columns_for(42, 10) <= 46
    assert columns_for(42, 12) < columns_for(42, 10)
    assert row_height(1, 10) >= 13.5
    assert row_height(5, 10) >= 5 * 13.5
    assert row_height(0, 10) == row_height(1, 10)
