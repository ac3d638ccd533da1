"""Regular expressions and character tables, compiled once.

Everything that decides what a character *is* lives here, so that the steps that use these
tables stay short and the tables can be read (and reviewed) in one place.
"""

from __future__ import annotations

import re

# Scripts written without spaces between words: their text is shingled by character, not by
# word. Hangul is not here: Korean separates words with spaces.
NOSPACE_RANGES = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u0f00-\u0fff"  # Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0002fa1f"  # CJK extensions B-F and compatibility supplement
)

#: One matching token: a single character of a script without spaces, or a run of other
#: letters and digits. Punctuation, symbols, markup and the underscore are not tokens.
TOKEN_RE = re.compile(f"[{NOSPACE_RANGES}]|[^\\W_{NOSPACE_RANGES}]+")

NOSPACE_CHAR_RE = re.compile(f"[{NOSPACE_RANGES}]")

#: Scripts in which a zero-width space is a real word-break hint rather than junk.
ZWSP_SCRIPT_RE = re.compile("[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff]")

#: Where a line may end in decoded text. patch(1) only knows "\n"; the rest are repaired.
#: U+0085 is left to ftfy: in mojibake it is the Windows-1252 ellipsis, not a line break.
LINE_BREAK_RE = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\u2028\u2029]")

#: Runs of ASCII spaces and tabs inside a line. Other spaces (no-break, ideographic) carry
#: meaning in French and CJK typography and are left alone.
SPACE_RUN_RE = re.compile("[ \t]{2,}|\t")

#: Characters that are invisible and never carry meaning in article text: soft hyphen,
#: byte-order mark, word joiner, Mongolian vowel separator. The zero-width space is
#: handled apart (ZWSP_SCRIPT_RE); joiners that build emoji and shape scripts (ZWJ, ZWNJ)
#: and bidirectional marks are kept.
INVISIBLE_RE = re.compile("[\u00ad\ufeff\u2060\u180e]")
ZWSP = "\u200b"

#: A character entity or numeric character reference.
HTML_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")

#: An HTML tag, by the names of real HTML elements (so "<<loosey-goosey>>" is not one).
HTML_ELEMENTS = (
    "a|abbr|article|aside|b|blockquote|body|br|caption|cite|code|dd|del|div|dl|dt|em|"
    "figcaption|figure|footer|h[1-6]|head|header|hr|html|i|iframe|img|ins|kbd|li|link|main|"
    "mark|meta|nav|noscript|ol|p|picture|pre|q|s|script|section|small|source|span|strong|"
    "style|sub|sup|svg|table|tbody|td|tfoot|th|thead|time|title|tr|u|ul|video"
)
HTML_TAG_RE = re.compile(rf"</?(?:{HTML_ELEMENTS})(?:\s[^<>]*)?/?>", re.IGNORECASE)

#: Escaped angle brackets: with real tags beside them, the line is HTML source.
ESCAPED_MARKUP_RE = re.compile(r"&(?:lt|gt|#0*6[02]|#x0*3[cCeE]);", re.IGNORECASE)

#: Characters that ftfy may want to change: anything outside printable ASCII, an entity
#: start, or an ASCII control character. Text without any of these is left alone untouched,
#: which is the common case and the fast path.
REPAIR_HINT_RE = re.compile("[^\t\n\r\x20-\x7e]|&")

#: Characters that need ftfy even in text that does not look like mojibake: C0/C1
#: controls, terminal escapes, surrogates and deprecated format characters.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u206a-\u206f\ufff9-\ufffb]")

#: Markdown and bullet decoration around a heading or list item, stripped for display of
#: the headline (never from the returned text).
HEADING_MARKUP_RE = re.compile(r"^\s*(?:#{1,6}\s+|[*_]{1,3}|>\s*)+|(?:[*_]{1,3}|\s+#+)\s*$")

#: A trailing site name after a headline: "Title | Site", "Title - Site", "Title — Site".
SITE_SUFFIX_RE = re.compile(r"^(?P<title>.+?)\s+(?:[|\u2013\u2014\u00b7\u2022:]{1,2}|-{1,2})\s+(?P<site>[^|\u2013\u2014]{1,60})$")

#: Sentence-final punctuation in the scripts we serve.
QUESTION_END_RE = re.compile("[?\uff1f\u061f\u037e]\\W*$")
SENTENCE_END_RE = re.compile("[.!?\u3002\uff01\uff1f\u061f\u0964]\\W*$")

#: A token with a digit: numbers are facts, and paragraphs that differ in them are different.
DIGIT_RE = re.compile(r"\d")

#: A word, for measuring a block's size, has a letter: "2," or "|" or "—" are not words.
LETTER_RE = re.compile(r"[^\W\d_]")

#: How a teaser ends when it was cut from a longer paragraph.
TRUNCATED_RE = re.compile(
    r"(?:\.\.\.|\u2026|\[\u2026\]|\[\.\.\.\])\W*$|\b(?:read|see) more\W*$|continue reading\W*$",
    re.IGNORECASE,
)

#: Something only code has: brackets, operators, a trailing comma or semicolon, a prompt.
CODE_RE = re.compile(r"[{}()\[\]=;<>|\\]|,\s*$|^\s*[$#>]\s")
