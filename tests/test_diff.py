"""The diff turns the input into the output with GNU patch, whatever the input's shape."""

from __future__ import annotations

import pytest

from cleaning import clean
from tests.patchutil import apply_patch

SHAPES = {
    "empty": "",
    "only blank lines": "\n\n \n\t\n",
    "no final newline": "Title\n\nOne paragraph.",
    "crlf": "Title\r\n\r\nOne paragraph.\r\nAnother line.\r\n",
    "lone cr": "Title\r\rOne paragraph.\r",
    "line separator": "Title\u2028\u2028One paragraph.\u2029Two.",
    "bom": "\ufeffTitle\n\nBody text here.\n",
    "duplicate with crlf": "Title\r\n\r\n" + "A long paragraph that is pasted twice, " * 3 + "\r\n\r\n"
                           + "A long paragraph that is pasted twice, " * 3,
    "many blank lines": "\n\n\nTitle\n\n\n\n\nBody.\n\n\n",
    "canonical": "Title\n\nBody.\n",
    "trailing spaces": "Title   \n\nBody.  \t\n",
}


@pytest.mark.parametrize("raw", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("binary", [True, False], ids=["binary", "text"])
def test_patch_reproduces(raw: str, binary: bool) -> None:
    result = clean(raw)
    assert apply_patch(raw, result.diff, binary=binary) == result.text
    assert (result.diff == "") == (result.text == raw)


def test_output_shape() -> None:
    assert clean("").text == ""
    assert clean(" \n\n").text == ""
    assert clean("a").text == "a\n"
    assert clean("a\n\n\n\nb").text == "a\n\nb\n"


def test_diff_headers_and_no_newline_marker() -> None:
    diff = clean("Title\n\nBody.").diff
    assert diff.startswith("--- a/article.txt\n+++ b/article.txt\n@@ ")
    assert "\\ No newline at end of file\n" in diff


def test_common_prefix_and_suffix_match_a_line_by_line_walk() -> None:
    import random

    from cleaning.diff import _common_prefix, _common_suffix

    rnd = random.Random(1)
    for _ in range(5_000):
        a = [rnd.choice("ab") for _ in range(rnd.randint(0, 12))]
        b = [rnd.choice("ab") for _ in range(rnd.randint(0, 12))]
        prefix = 0
        while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
            prefix += 1
        assert _common_prefix(a, b) == prefix
        start, drop = rnd.randint(0, min(len(a), len(b))), rnd.randint(0, 1)
        if start + drop > min(len(a), len(b)):
            continue
        suffix = 0
        while (suffix < min(len(a), len(b)) - start - drop
               and a[-1 - drop - suffix] == b[-1 - drop - suffix]):
            suffix += 1
        assert _common_suffix(a, b, start, drop) == suffix
