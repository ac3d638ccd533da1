"""Repair one line of text: entities, encoding, invisible junk, whitespace.

Each repair is a named step; the names are the `CleanConfig` flags and the `step` of each
`Fix` in the result. ftfy is only called on lines that need it: most articles have no
mojibake at all, and ftfy's full pass costs about a millisecond per 4 KB.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

import ftfy
import ftfy.bad_codecs
from ftfy.chardata import UTF8_DETECTOR_RE

from cleaning import chardata
from cleaning.config import CleanConfig

#: ftfy's options, every one spelled out. The principle: repair damage, never "improve"
#: correct text, since a cleaner that changes correct characters loses information.
FTFY_CONFIG = ftfy.TextFixerConfig(
    # Entities are decoded by `unescape_html` below, per line, with the markup rule applied
    # per line. ftfy's "auto" mode switches unescaping off for a whole text that contains
    # a single "<" anywhere.
    unescape_html=False,
    # The repairs of actual damage, all as ftfy recommends: terminal escapes are never
    # article text; mojibake repair with its sub-steps (restoring a lost 0xA0 byte,
    # replacing lossy sequences, fixing inconsistent UTF-8 and C1 controls).
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    # Ligatures, full-width forms and curly quotes are correct characters: CJK text uses
    # full-width punctuation, typeset text uses typographic quotes. Keep them.
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    # A mojibake repair can reveal a U+2028 or a CRLF; the block splitter needs "\n".
    fix_line_breaks=True,
    # Lone surrogates cannot be encoded as UTF-8 at all; control characters are junk.
    fix_surrogates=True,
    remove_control_chars=True,
    # NFC is the canonical, visually identical form, and what the web and Python expect.
    normalization="NFC",
    # ftfy's default bound on how much text one mojibake search may examine.
    max_decode_length=1_000_000,
    explain=True,
)


@dataclass(slots=True)
class Repair:
    """One repair of one line: its step name, ftfy's explanation, the text before and after."""

    step: str
    detail: str
    before: str
    after: str


def might_need_repair(text: str) -> bool:
    """Cheap test: could any repair change `text`? False for plain ASCII prose.

    >>> might_need_repair("Plain ASCII text.")
    False
    >>> might_need_repair("donâ€™t")
    True
    """
    if text.isascii():
        return bool(text.encode("ascii").translate(None, chardata.NO_REPAIR_HINT_BYTES))
    return chardata.REPAIR_HINT_RE.search(text) is not None


@dataclass(frozen=True)
class Needs:
    """Which repairs can change anything in a text, found once for the whole text so that
    each line skips the checks that cannot apply. The default needs everything."""

    entities: bool = True
    #: C0 or C1 controls, surrogates or deprecated format characters.
    controls: bool = True
    #: Text that is not in NFC.
    denormal: bool = True
    #: A character that mojibake is made of.
    mojibake: bool = True
    invisible: bool = True

    @property
    def encoding(self) -> bool:
        return self.controls or self.denormal or self.mojibake

    @property
    def anything(self) -> bool:
        return self.entities or self.encoding or self.invisible

    @classmethod
    def of(cls, text: str) -> Needs:
        """What `text` may need.

        >>> Needs.of("Plain, correct “text”.").anything
        False
        >>> Needs.of("donâ€™t &amp;")
        Needs(entities=True, controls=False, denormal=False, mojibake=True, invisible=False)
        """
        is_ascii = text.isascii()
        plain = text if is_ascii else chardata.ascii_without_typography(text)
        if plain is not None:
            # ASCII and typographic punctuation: NFC, no invisible character, nothing
            # mojibake is made of. Entities and ASCII controls are what may be left.
            if not might_need_repair(plain):
                return NOTHING_NEEDED
            controls = bool(plain.encode("ascii").translate(None, chardata.NO_CONTROL_BYTES))
            return cls(entities="&" in plain, controls=controls, denormal=False,
                       mojibake=False, invisible=False)
        denormal = not is_ascii and not unicodedata.is_normalized("NFC", text)
        if chardata.ANY_REPAIR_RE.search(text) is None:
            return DENORMAL_ONLY if denormal else NOTHING_NEEDED
        controls = invisible = False
        if chardata.CONTROL_OR_INVISIBLE_RE.search(text) is not None:
            controls = chardata.CONTROL_RE.search(text) is not None
            invisible = chardata.INVISIBLE_RE.search(text) is not None or chardata.ZWSP in text
        return cls(
            entities="&" in text,
            controls=controls,
            denormal=denormal,
            mojibake=not is_ascii and chardata.MOJIBAKE_HINT_RE.search(text) is not None,
            invisible=invisible,
        )


NOTHING_NEEDED = Needs(entities=False, controls=False, denormal=False, mojibake=False,
                       invisible=False)
DENORMAL_ONLY = Needs(entities=False, controls=False, denormal=True, mojibake=False,
                      invisible=False)
EVERYTHING_NEEDED = Needs()


#: How often a line is repaired in all when removing invisible characters uncovered more
#: to repair (a soft hyphen that hid mojibake, a zero-width space between marks that are
#: then not NFC). One more pass settles every case the fuzzer found; the bound keeps it
#: finite.
REPAIR_PASSES = 3
#: The repairs that take characters out, after which a line is repaired again.
UNCOVERING_STEPS = frozenset({"remove_invisible", "fix_encoding"})


def repair_line(line: str, config: CleanConfig, needs: Needs | None = None,
                ) -> tuple[str, list[Repair]]:
    """Repair one line (no line breaks in it) and say what was done. `needs` says which
    repairs the whole text can need (`Needs.of`); by default, every check is made. A line
    from which characters were removed (invisible ones, or controls by the encoding fix) is
    repaired again (up to REPAIR_PASSES), since that removal can uncover more to repair,
    so that repairing the result again changes nothing.

    >>> repair_line("Itâ€™s  here &amp; now ", CleanConfig())[0]
    'It’s here & now'
    >>> repair_line("\u00ad\u00ef\u00bc\u0152", CleanConfig())[0]
    '，'
    """
    repairs: list[Repair] = []
    text = _repair_once(line, config, needs or EVERYTHING_NEEDED, repairs)
    for _ in range(REPAIR_PASSES - 1):
        # Removing characters uncovers work for another pass: the mojibake a soft hyphen
        # hid, marks that are now not NFC, an entity that a control character split
        # (``&\x07amp;``, which ftfy's encoding fix takes the control character out of).
        if not any(r.step in UNCOVERING_STEPS for r in repairs[-3:]):
            break
        done = len(repairs)
        text = _repair_once(text, config, Needs.of(text), repairs)
        if len(repairs) == done:
            break
    return text, repairs


def _repair_once(text: str, config: CleanConfig, needs: Needs, repairs: list[Repair]) -> str:
    if might_need_repair(text):
        if config.unescape_html and needs.entities and "&" in text:
            done = len(repairs)
            text = _step(repairs, "unescape_html", "entities", text, unescape_html(text))
            if len(repairs) > done:
                needs = Needs.of(text)  # decoded entities may spell anything: look again
        decoded = len(repairs)
        if config.fix_encoding and needs.encoding:
            if _needs_ftfy(text, needs):
                fixed, plan = ftfy.fix_and_explain(text, FTFY_CONFIG)
                detail = ", ".join(f"{action} {param}" for action, param in plan or ())
                text = _step(repairs, "fix_encoding", detail, text, _if_certain(text, fixed))
            if (needs.mojibake or len(repairs) > decoded) and (
                    chardata.UTF8_LEFTOVER_HINT_RE.search(text)):
                text = _step(repairs, "fix_encoding", "decode leftover UTF-8 sequences",
                             text, _if_certain(text, fix_utf8_leftovers(text)))
        if config.remove_invisible and (needs.invisible or len(repairs) > decoded):
            text = _step(repairs, "remove_invisible", "invisible characters", text,
                         remove_invisible(text))
    if config.normalize_whitespace:
        text = _step(repairs, "normalize_whitespace", "spaces", text, normalize_spaces(text))
    return text


def _if_certain(before: str, after: str) -> str:
    """`after`, unless the repair that made it is not certain: one that turns symbols alone
    into a single letter of a script the line has nowhere else (ftfy reads a close
    button's ``×©`` as a Hebrew letter). Real mojibake holds letters read wrongly
    (``IL2RÎ³cKO`` is ``IL2RγcKO``), or decodes to a word: ``í•œêµ­ì–´`` is ``한국어``.

    >>> _if_certain("Close ×© 2019", "Close ש 2019")
    'Close ×© 2019'
    >>> _if_certain("IL2RÎ³cKO", "IL2RγcKO")
    'IL2RγcKO'
    """
    if after == before or after.isascii():
        return after
    new = [ch for ch in set(after).difference(before) if ch.isalpha()]  # sets: C speed
    if len(new) != 1 or after.count(new[0]) != 1:
        return after  # nothing new, or a word: what mojibake of a script gives
    script = _script(new[0])
    if any(ch.isalpha() and ch != new[0] and _script(ch) == script for ch in set(after)):
        return after  # a letter of the line's own script
    return after if any(ch.isalpha() for ch in _replaced(before, after)) else before


def _replaced(before: str, after: str) -> str:
    """The part of `before` that differs from `after`, their common start and end aside.

    >>> _replaced("Close ×© 2019", "Close ש 2019")
    '×©'
    """
    head = 0
    while head < min(len(before), len(after)) and before[head] == after[head]:
        head += 1
    tail = 0
    while (tail < min(len(before), len(after)) - head
           and before[-1 - tail] == after[-1 - tail]):
        tail += 1
    return before[head:len(before) - tail]


def _script(ch: str) -> str:
    """The script of a letter, as the first word of its Unicode name says it."""
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]


def _step(repairs: list[Repair], step: str, detail: str, before: str, after: str) -> str:
    if after != before:
        repairs.append(Repair(step, detail, before, after))
    return after


def _needs_ftfy(text: str, needs: Needs) -> bool:
    # Past the gate, ftfy's own badness test decides; asking it here first would run its
    # regex once more on every line with mojibake, the lines that cost most.
    return (
        (needs.controls and chardata.CONTROL_RE.search(text) is not None)
        or (needs.denormal and not unicodedata.is_normalized("NFC", text))
        or (needs.mojibake and chardata.MAY_BE_BAD_RE.search(text) is not None)
    )


def fix_utf8_leftovers(text: str) -> str:
    """Decode three- and four-byte UTF-8 sequences left as Windows-1252 mojibake that ftfy's
    badness score lets pass (a symbol before a no-break space, say); one that spells a
    letter only where no word runs into it. ftfy finds the
    sequences; a sequence is replaced only if it is valid UTF-8 as a whole.

    >>> fix_utf8_leftovers("ebb \u00e2\u201e\u00a0 is a mark; 60,000\u00e2\u201a\u00a9")
    'ebb ℠ is a mark; 60,000₩'
    >>> fix_utf8_leftovers("a basis of \u00e2\u201e\u201an; Bront\u00eb\u2026\u201d")
    'a basis of ℂn; Brontë…”'
    """

    def decode(match: re.Match[str]) -> str:
        seq = match.group(0)
        if len(seq) < 3 or not "\u00e0" <= seq[0] <= "\u00f4":
            return seq
        try:
            fixed = seq.encode("sloppy-windows-1252").decode("utf-8")
        except UnicodeError:
            return seq
        if any(unicodedata.category(ch)[0] == "C" for ch in fixed):
            return seq
        if any(ch.isalpha() for ch in fixed) and match.start() and (
                text[match.start() - 1].isalpha()):
            # Its first character ends a word: a real letter (``Brontë…”`` read as UTF-8
            # would end in a Korean syllable), not the start of a symbol (``â„‚`` is ℂ).
            return seq
        return fixed

    return UTF8_DETECTOR_RE.sub(decode, text)


def unescape_html(text: str) -> str:
    """Decode HTML entities; repeat until nothing changes, so that double-escaped text
    (``&amp;amp;``) comes out the same on a second cleaning. A line of HTML source that
    escapes markup on purpose (tags and ``&lt;`` together) is left as it is.

    >>> unescape_html("Fish &amp;amp; chips &#8212; &eacute;t&eacute;")
    'Fish & chips — été'
    >>> unescape_html('<meta charset=&quot;utf-8&quot;>')
    '<meta charset="utf-8">'
    >>> unescape_html("<code>&lt;b&gt;</code>")
    '<code>&lt;b&gt;</code>'
    """
    if "&" not in text:
        return text
    if ("<" in text and chardata.ESCAPED_MARKUP_RE.search(text)
            and chardata.HTML_TAG_RE.search(text)):
        return text
    for _ in range(4):
        if "&" not in text or not chardata.HTML_ENTITY_RE.search(text):
            break
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def remove_invisible(text: str) -> str:
    """Drop invisible junk; keep a zero-width space inside scripts that use it for breaks.

    >>> remove_invisible("soft\\u00adhyphen and zero\\u200bwidth")
    'softhyphen and zerowidth'
    >>> thai = "\\u0e20\\u0e32\\u200b\\u0e29\\u0e32"
    >>> remove_invisible(thai) == thai
    True
    """
    text = chardata.INVISIBLE_RE.sub("", text)
    if chardata.ZWSP not in text:
        return text
    parts = text.split(chardata.ZWSP)
    out = [parts[0]]
    for part in parts[1:]:
        left, right = out[-1][-1:], part[:1]
        keep = bool(left and right and chardata.ZWSP_SCRIPT_RE.match(left)
                    and chardata.ZWSP_SCRIPT_RE.match(right))
        out.append(chardata.ZWSP + part if keep else part)
    return "".join(out)


def normalize_spaces(text: str) -> str:
    """Strip spaces and tabs at both ends and fold runs of them inside.

    >>> normalize_spaces("  a  \\t b \\t ")
    'a b'
    """
    text = text.strip(" \t")
    if "  " in text or "\t" in text:
        text = chardata.SPACE_RUN_RE.sub(" ", text)
    return text
