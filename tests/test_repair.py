"""The cheap gates in front of ftfy: they may let too much through, never too little."""

from __future__ import annotations

import random

import pytest
from ftfy.badness import BADNESS_RE, is_bad

from cleaning import chardata, clean
from cleaning.blocks import split_lines
from cleaning.config import CLEAN_DEFAULTS
from cleaning.repair import EVERYTHING_NEEDED, Needs, repair_line

BADNESS_CHARS = sorted(chardata._BADNESS_CHARS)
ASCII = [chr(c) for c in range(0x20, 0x7F)] + ["\t", "\xa0"]


def test_may_be_bad_finds_every_pair_ftfy_calls_bad() -> None:
    # Every two-character text over ftfy's categories and ASCII (about 300,000 of them).
    alphabet = BADNESS_CHARS + ASCII
    missed = [x + y for x in alphabet for y in alphabet
              if BADNESS_RE.search(x + y) and not chardata.MAY_BE_BAD_RE.search(x + y)]
    assert missed == []


def test_may_be_bad_finds_every_longer_match_ftfy_calls_bad() -> None:
    # ftfy's longer patterns, with Greek and Cyrillic letters (which the gate mostly lets
    # pass) next to everything else. Checked exhaustively over all three-character texts
    # once, when the gate was written; a random sample here keeps it honest.
    rng = random.Random(7)
    letters = sorted(chardata._BADNESS_LETTERS)
    pools = [BADNESS_CHARS + ASCII, letters + ASCII, letters * 4 + BADNESS_CHARS + ASCII * 2]
    for pool in pools:
        for _ in range(30_000):
            text = "".join(rng.choice(pool) for _ in range(rng.randint(3, 6)))
            assert not BADNESS_RE.search(text) or chardata.MAY_BE_BAD_RE.search(text), text


@pytest.mark.parametrize(("text", "gated"), [
    ("Le comité a été créé à Genève, où l’été dure.", False),  # "éé" is two of them
    ("Le comité a été élu à Genève, où il fait chaud.", True),
    ("Привет, мир: «новости» — сегодня в 10:00.", False),  # "«н" is two of them
    ("Привет, мир: новости сегодня в 10:00.", True),
    ("Η Ελλάδα είναι μια χώρα στην Ευρώπη.", True),
])
def test_correct_text_in_other_scripts_passes_and_mostly_skips_ftfy(
        text: str, gated: bool) -> None:
    """Correct text comes back unchanged; where the gate finds nothing, ftfy's badness
    regex is not run at all."""
    assert not is_bad(text)
    assert (chardata.MAY_BE_BAD_RE.search(text) is None) is gated
    assert repair_line(text, CLEAN_DEFAULTS)[0] == text


def test_entities_that_spell_mojibake_are_repaired() -> None:
    # Decoded entities can spell what the raw text did not show: the line is looked at again.
    assert clean("It was don&acirc;&#128;&#153;t so.\n").text == "It was don’t so.\n"
    assert clean("Caf&Atilde;&copy; au lait.\n").text == "Café au lait.\n"


@pytest.mark.parametrize("text", [
    "a\r\nb\r\n\r\nc",          # CRLF: split on "\n"
    "a\rb\r\n",                 # a lone CR: split on every break
    "x\u2028y\nz",              # U+2028
    "  caf\u00c3\u00a9 \r\n\r\nok\t\tdone \n",
    "e\u0301t\u00e9\r\n&amp;\n",  # not NFC, and an entity
    # Texts that need no repair on any line take a path of their own, bar spaces:
    "", "One line", "Title\n\nBody text, \u201cquoted\u201d.\n", "a\n\n\nb\n",
    "\u00e9\n\u00fc\n\n", "Trailing \nspace", " leading", "tab\there", "two  spaces",
    "Fish &amp; chips  \n\nNo entity  here \u201cquoted\u201d",  # only entities and spaces
])
def test_every_way_of_splitting_gives_the_same_lines(text: str) -> None:
    """The fast splits (on "\\n", with a per-line gate, or none) agree with repairing
    every line."""
    fast = [(x.text, x.start, x.end) for x in split_lines(text, CLEAN_DEFAULTS)]
    slow = []
    start = 0
    for match in [*chardata.LINE_BREAK_RE.finditer(text), None]:
        end = match.start() if match else len(text)
        slow.append((repair_line(text[start:end], CLEAN_DEFAULTS, EVERYTHING_NEEDED)[0],
                     start, end))
        start = match.end() if match else start
    assert fast == slow


def test_needs_of_plain_text_needs_nothing() -> None:
    assert not Needs.of("Plain ASCII, and “typographic” text — fine.").anything
    assert Needs.of("soft\u00adhyphen").invisible
    assert Needs.of("bell\x07").controls
    assert Needs.of("e\u0301").denormal


def test_mojibake_hint_covers_what_ftfy_calls_bad() -> None:
    # Text without one of MOJIBAKE_CHARS is never mojibake to ftfy: the typographic
    # punctuation left out of that set is only flagged beside one of them.
    plain = [c for c in BADNESS_CHARS + ASCII if not chardata.MOJIBAKE_HINT_RE.match(c)]
    rng = random.Random(11)
    texts = [x + y for x in plain for y in plain]
    texts += ["".join(rng.choice(plain) for _ in range(rng.randint(3, 8)))
              for _ in range(30_000)]
    assert [t for t in texts if BADNESS_RE.search(t)] == []


def test_might_need_repair_reads_ascii_as_its_regex_does() -> None:
    """The bytes fast path for ASCII text and REPAIR_HINT_RE agree on every ASCII character,
    alone and inside text."""
    from cleaning.repair import might_need_repair

    for code in range(0x80):
        for text in (chr(code), f"Plain text {chr(code)} here.", f"{chr(code)}\n"):
            assert might_need_repair(text) == (
                chardata.REPAIR_HINT_RE.search(text) is not None), repr(text)
    assert not might_need_repair("Plain\ttext,\r\n(with) 'every' [printable] ~char~.")
    assert might_need_repair("Tom &amp; Jerry")
    assert might_need_repair("caf\u00e9")


@pytest.mark.parametrize(("raw", "expected"), [
    ("Soft&shy;hyphen here.", "Softhyphen here.\n"),
    ("Zero&#8203;width", "Zerowidth\n"),
    ("caf&eacute;&#8203; ok", "café ok\n"),
])
def test_invisible_characters_spelled_as_entities_are_removed(raw: str, expected: str) -> None:
    """Decoding entities can reveal junk that the text did not show: it goes too."""
    result = clean(raw)
    assert result.text == expected
    assert [fix.step for fix in result.fixes] == ["unescape_html", "remove_invisible"]


def test_needs_of_matches_a_check_of_each_repair() -> None:
    """`Needs.of` takes shortcuts (ASCII, typography); what it says must be what a full
    check of each repair says."""
    import unicodedata

    def full(text: str) -> Needs:
        return Needs(
            entities="&" in text,
            controls=chardata.CONTROL_RE.search(text) is not None,
            denormal=not unicodedata.is_normalized("NFC", text),
            mojibake=not text.isascii() and chardata.MOJIBAKE_HINT_RE.search(text) is not None,
            invisible=chardata.INVISIBLE_RE.search(text) is not None or chardata.ZWSP in text)

    rnd = random.Random(11)
    alphabet = [*"ab &;\t\r\n", "\x00", "\x07", "\x1b", "\x7f", *chardata.TYPOGRAPHY,
                "\u00e9", "e\u0301", "\u00c3", "\u00ad", chardata.ZWSP, "\u0416", "\u5317"]
    for _ in range(20_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 6)))
        assert Needs.of(text) == full(text), repr(text)


def test_utf8_leftovers_are_only_decoded_where_the_hint_finds_them() -> None:
    """The cheap hint in front of `fix_utf8_leftovers` may let too much through, never
    too little: every text the fix changes has a match."""
    from cleaning.repair import fix_utf8_leftovers

    rnd = random.Random(7)
    leads = [chr(c) for c in range(0xC2, 0xF5)]
    alphabet = [*leads, *chardata.UTF8_CONTINUATION_AS_1252, " ", "a", "\u0416", "\u0102"]
    changed = 0
    for _ in range(50_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 6)))
        if fix_utf8_leftovers(text) != text:
            changed += 1
            assert chardata.UTF8_LEFTOVER_HINT_RE.search(text), repr(text)
    assert changed > 100  # the fix had work to do
    assert not chardata.UTF8_LEFTOVER_HINT_RE.search("Café au lait, élan, à la française")


@pytest.mark.parametrize(("raw", "expected", "steps"), [
    # Entities are the only repair: lines without "&" still get their spaces folded.
    ("A &amp; B  \n\nC  D \u201cquoted\u201d", "A & B\n\nC D \u201cquoted\u201d\n",
     ["unescape_html", "normalize_whitespace", "normalize_whitespace"]),
    # And with a control character somewhere, every repair is looked for.
    ("A &amp; B  \n\nC  D \u201cquoted\u201d\n\n\x07E &lt; F", "A & B\n\nC D \u201cquoted\u201d\n\nE < F\n",
     ["unescape_html", "normalize_whitespace", "normalize_whitespace", "unescape_html",
      "fix_encoding"]),
])
def test_typographic_text_with_entities(raw: str, expected: str, steps: list[str]) -> None:
    result = clean(raw)
    assert result.text == expected
    assert [fix.step for fix in result.fixes] == steps


def test_a_line_met_twice_is_repaired_alike_each_time() -> None:
    # split_lines repairs a line printed again from its memo: each copy keeps its own span
    # and the same repairs as a line repaired on its own.
    line = "It\u00e2\u20ac\u2122s a  caf\u00c3\u00a9 &amp; more"
    text = f"{line}\nplain\n{line}\n"
    lines = split_lines(text, CLEAN_DEFAULTS)
    alone = repair_line(line, CLEAN_DEFAULTS, Needs.of(text))
    for got, start in ((lines[0], 0), (lines[2], len(line) + 7)):
        assert (got.text, list(got.repairs)) == (alone[0], alone[1])
        assert (got.start, got.end) == (start, start + len(line))
    assert alone[0] == "It’s a café & more"
