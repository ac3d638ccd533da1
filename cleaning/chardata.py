"""Regular expressions and character tables, compiled once.

Everything that decides what a character *is* lives here, so that the steps that use these
tables stay short and the tables can be read (and reviewed) in one place.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy.bad_codecs  # noqa: F401  (registers the "sloppy-windows-1252" codec)
from ftfy.badness import MOJIBAKE_CATEGORIES

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

#: The ASCII case of TOKEN_RE, for UTF-8 bytes: capitals made small, and every other ASCII
#: character that is not a letter or digit made a space, to split at (bytes above 0x7f are
#: left alone). U+001F stays: it joins blocks that are tokenised together, and str.split
#: splits at it too. A bytes table is one C-level lookup a byte: str.lower with
#: str.translate took twice as long on the typical articles of benchmarks/ab_core.py.
ASCII_FOLD_BYTES = bytes(
    c + 0x20 if 0x41 <= c <= 0x5A else 0x20 if c < 0x80 and not chr(c).isalnum() and c != 0x1F
    else c for c in range(256))


#: A character outside ASCII: the only ones that may take two columns of a terminal (every
#: ASCII character is narrow), found in a line at C speed (`cleaning.blocks.columns`).
NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")

#: A character outside ASCII that is no part of a token (TOKEN_RE skips it), bar those of
#: scripts without spaces, which TOKEN_RE takes whatever they are.
NONASCII_NONWORD_RE = re.compile(f"[^\\x00-\\x7f\\w{NOSPACE_RANGES}]")

#: A character at or above the first script written without spaces (Thai): a quick scan
#: that most texts in other scripts pass without looking further.
FROM_THAI_ON_RE = re.compile("[\u0e00-\U0010ffff]")

#: Typographic punctuation of correct text, which matching folds to nothing and which no
#: repair acts on.
TYPOGRAPHY = "\u2019\u2018\u201c\u201d\u2014\u2013\u2026\u2022\u00a0\u00ab\u00bb\u00b7"


def without_typography(text: str) -> str:
    """`text` with TYPOGRAPHY replaced by spaces: most correct text is then ASCII. A few
    C-level searches and replaces, five times faster than one regex substitution.

    >>> without_typography("It’s — “fine”.")
    'It s    fine .'
    """
    for ch in TYPOGRAPHY:
        if ch in text:
            text = text.replace(ch, " ")
    return text


#: Characters that `ascii_without_typography` folds at a time.
TYPOGRAPHY_SLICE = 1 << 14


def ascii_without_typography(text: str) -> str | None:
    """`without_typography(text)` if that is ASCII, else None, found a slice at a time:
    a long text with another character early (an accent, mojibake) is not folded whole
    for nothing. (A 1 MB article paid 2 to 6 ms for it.)

    >>> ascii_without_typography("It’s “fine”."), ascii_without_typography("Café")
    ('It s  fine .', None)
    """
    slices = []
    for start in range(0, len(text), TYPOGRAPHY_SLICE):
        plain = without_typography(text[start:start + TYPOGRAPHY_SLICE])
        if not plain.isascii():
            return None
        slices.append(plain)
    return "".join(slices)


NOSPACE_CHAR_RE = re.compile(f"[{NOSPACE_RANGES}]")

#: Scripts in which a zero-width space is a real word-break hint rather than junk.
ZWSP_SCRIPT_RE = re.compile("[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff]")

#: Where a line may end in decoded text. patch(1) only knows "\n"; the rest are repaired.
#: U+0085 is left to ftfy: in mojibake it is the Windows-1252 ellipsis, not a line break.
LINE_BREAK_CHARS = "\n\r\v\f\x1c\x1d\x1e\u2028\u2029"
LINE_BREAK_RE = re.compile(f"\r\n|[{LINE_BREAK_CHARS}]")

#: Runs of ASCII spaces and tabs inside a line. Other spaces (no-break, ideographic) carry
#: meaning in French and CJK typography and are left alone.
SPACE_RUN_RE = re.compile("[ \t]{2,}|\t")

#: Characters that are invisible and never carry meaning in article text: soft hyphen,
#: byte-order mark, word joiner, Mongolian vowel separator. The zero-width space is
#: handled apart (ZWSP_SCRIPT_RE); joiners that build emoji and shape scripts (ZWJ, ZWNJ)
#: and bidirectional marks are kept.
INVISIBLE_CHARS = "\u00ad\ufeff\u2060\u180e"
INVISIBLE_RE = re.compile(f"[{INVISIBLE_CHARS}]")
ZWSP = "\u200b"

#: Characters that need ftfy even in text that does not look like mojibake: C0/C1
#: controls, terminal escapes, surrogates and deprecated format characters.
CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u206a-\u206f\ufff9-\ufffb"
CONTROL_RE = re.compile(f"[{CONTROL_CHARS}]")
#: A lone surrogate: no UTF-8 text can hold one.
SURROGATE_RE = re.compile("[\ud800-\udfff]")

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

#: Markup escaped twice: ``&amp;lt;span``. The page's source leaking, never a code sample.
TWICE_ESCAPED_MARKUP_RE = re.compile(r"&amp;(?:lt|gt|#0*6[02]|#x0*3[ce]);", re.IGNORECASE)

#: A script or a style element that holds code (inline, not loaded from a file): code, never
#: article text.
INLINE_CODE_ELEMENT_RE = re.compile(r"<(script|style)\b[^>]*>\s*\S.*?</\1\s*>",
                                    re.IGNORECASE | re.DOTALL)

#: HTML_TAG_RE within one block of blocks joined by U+001F: no tag spans two of them.
HTML_TAG_IN_BLOCK_RE = re.compile(
    rf"</?(?:{HTML_ELEMENTS})(?:[^\S\x1f][^<>\x1f]*)?/?>", re.IGNORECASE)

#: Escaped angle brackets: with real tags beside them, the line is HTML source.
ESCAPED_MARKUP_RE = re.compile(r"&(?:lt|gt|#0*6[02]|#x0*3[cCeE]);", re.IGNORECASE)

#: Characters that ftfy may want to change: anything outside printable ASCII, an entity
#: start, or an ASCII control character. Text without any of these is left alone untouched,
#: which is the common case and the fast path. One class, not an alternation with "&":
#: re scans a class over the text several times faster.
REPAIR_HINT_RE = re.compile("[^\t\n\r\x20-\x25\x27-\x7e]")
#: The characters REPAIR_HINT_RE passes over, as bytes: deleted from ASCII text with
#: bytes.translate, they leave what it would find, seven times faster than its scan.
NO_REPAIR_HINT_BYTES = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x26), *range(0x27, 0x7F)])
#: The ASCII characters that are not CONTROL_CHARS, as bytes, for the same use.
NO_CONTROL_BYTES = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F)])
#: The gate of a text whose only possible repair, but for spaces, is decoding entities.
AMPERSAND_RE = re.compile("&")

#: Characters that ftfy's badness score needs to see before it calls a text mojibake,
#: less the typographic punctuation of correct English (curly quotes, dashes, ellipsis,
#: bullet, guillemets, degree, middle dot, no-break space), which the score only flags
#: beside one of these. ftfy's score costs ~125 ns a character, so it only runs on lines
#: that have one of them. `tests/test_repair.py` keeps this in step with ftfy's pattern.
MOJIBAKE_CHARS = (
    "\u0080-\u009f\u00a1-\u00aa\u00ac-\u00af\u00b1-\u00b6\u00b8-\u00ba\u00bc-\u00fc\u0100-\u0107"
    "\u010c-\u0113\u0116-\u011b\u011e\u011f\u0122\u0123\u012a\u012b\u012f\u0130\u0136"
    "\u0137\u0139-\u013e\u0141-\u0143\u0145\u0147\u014c\u0150\u0152\u0153\u0155\u0158"
    "\u015a\u015b\u015e-\u0162\u0164\u0165\u016a\u016e\u0170\u0172\u0178-\u017e\u0192"
    "\u02c6\u02c7\u02d8\u02db-\u02dd\u0384-\u0386\u0388-\u038a\u038c\u038e\u038f\u0391-\u03c9"
    "\u0401-\u045f\u0490\u0491\u2015\u201a\u201e\u2020\u2021\u2030\u2039\u203a\u2044"
    "\u20a7\u20ac\u2116\u2122\u2202\u2206\u220f\u2211\u221a\u221e\u2229\u222b\u2248\u2260"
    "\u2261\u2264\u2265\u2310\u2502\u250c\u2510\u2518\u251c\u2524\u252c\u253c\u2550-\u256c"
    "\u2580\u2584\u2588\u258c\u2590-\u2593\u25ca\uf8ff\ufb01\ufb02\ufffd"
)
MOJIBAKE_HINT_RE = re.compile(f"[{MOJIBAKE_CHARS}\\u2500-\\u259f\\ufffd]")

#: The bytes that follow the first of a UTF-8 sequence (0x80-0xBF), read as Windows-1252.
UTF8_CONTINUATION_AS_1252 = bytes(range(0x80, 0xC0)).decode("sloppy-windows-1252")
#: The start of a three- or four-byte UTF-8 sequence read as Windows-1252: a first byte
#: (0xE0-0xF4, "à" to "ô") and two that follow it. Where this finds nothing, no such
#: sequence is left to decode; it rarely finds anything in correct text ("é" is followed
#: by letters or spaces).
UTF8_LEFTOVER_HINT_RE = re.compile(
    f"[\u00e0-\u00f4][{re.escape(UTF8_CONTINUATION_AS_1252)}]{{2}}")


def _class_chars(chars: str) -> set[str]:
    """The characters of a regex class body as ftfy writes them: literals and ``a-b``."""
    out: set[str] = set()
    i = 0
    while i < len(chars):
        if i + 2 < len(chars) and chars[i + 1] == "-":
            out.update(map(chr, range(ord(chars[i]), ord(chars[i + 2]) + 1)))
            i += 3
        else:
            out.add(chars[i])
            i += 1
    return out


def _is_greek_or_cyrillic_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and unicodedata.name(
        ch, "").startswith(("GREEK", "CYRILLIC"))


#: ftfy's `is_bad` is one regex search (`ftfy.badness.BADNESS_RE`) that costs ~125 ns a
#: character, and accented letters alone send a line to it. Every match of that regex
#: holds one of: a C1 control; Œ or œ; Ã or Â before a space; or two adjacent characters of
#: its categories of which at most one is a Greek or Cyrillic letter, bar two pairs
#: (вЂ, Гў), and Ґ, which pairs with those letters. This regex finds those in one cheap
#: scan: where it finds nothing, `is_bad` cannot find anything either, so correct text in
#: French, Russian or Greek is not run through it. `tests/test_repair.py` holds the two
#: in step.
_BADNESS_CHARS = set().union(*(_class_chars(v) for v in MOJIBAKE_CATEGORIES.values()))
_BADNESS_LETTERS = {c for c in _BADNESS_CHARS
                    if _is_greek_or_cyrillic_letter(c) and c not in "\u0490\u0491"}


def _class(chars: set[str]) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


MAY_BE_BAD_RE = re.compile(
    "[\x80-\x9f\u0152\u0153]|[\u00c2\u00c3] |\u0432\u0402|\u0413\u045e"
    f"|[{_class(_BADNESS_CHARS - _BADNESS_LETTERS)}][{_class(_BADNESS_CHARS)}]"
    f"|[{_class(_BADNESS_CHARS)}][{_class(_BADNESS_CHARS - _BADNESS_LETTERS)}]"
)

#: Characters that need ftfy even in text that does not look like mojibake, or that are
#: invisible junk: one scan tells most texts that neither applies.
CONTROL_OR_INVISIBLE_RE = re.compile(f"[{CONTROL_CHARS}{INVISIBLE_CHARS}{ZWSP}]")

#: A run of word characters: what a word is bounded by when its case is looked at.
WORD_RUN_RE = re.compile(r"\w+")

#: Control characters that LINE_BREAK_RE breaks lines at.
CONTROL_LINE_BREAK_RE = re.compile("[\v\f\x1c\x1d\x1e]")


#: Any character that some repair might act on, in one class: a single scan tells most
#: texts (correct prose, curly quotes included) that only spaces can be wrong in them.
ANY_REPAIR_RE = re.compile(
    f"[&{CONTROL_CHARS}{MOJIBAKE_CHARS}\u2500-\u259f\ufffd{INVISIBLE_CHARS}{ZWSP}]")

#: Markdown and bullet decoration around a heading or list item, stripped for display of
#: the headline (never from the returned text).
HEADING_MARKUP_RE = re.compile(r"^\s*(?:#{1,6}\s+|[*_]{1,3}|>\s*)+|(?:[*_]{1,3}|\s+#+)\s*$")

#: A field of a record: a label of a word or two, a colon, a value ("Lunch: lentil soup",
#: "Battery life: 10 hours"). Records repeat their values on purpose.
FIELD_RE = re.compile(r"\W*[^\W\d_][\w'\u2019-]*(?: [\w'\u2019-]+)?:\s+\S")

#: A markdown heading line: "# Title", "## Title".
MARKDOWN_HEADING_RE = re.compile(r"\s*#{1,6}\s")

#: A trailing site name after a headline: "Title | Site", "Title - Site", "Title — Site".
SITE_SUFFIX_RE = re.compile(
    r"^(?P<title>.+?)\s+(?:[|\u2013\u2014\u00b7\u2022:]{1,2}|-{1,2})\s+"
    r"(?P<site>[^|\u2013\u2014]{1,60})$"
)

#: Sentence-final punctuation in the scripts we serve.
QUESTION_END_RE = re.compile("[?\uff1f\u061f\u037e]\\W*$")
#: The marks that end a sentence, in the scripts that have their own.
SENTENCE_END_MARKS = ".!?\u3002\uff01\uff1f\u061f\u0964"
SENTENCE_END_RE = re.compile(f"[{SENTENCE_END_MARKS}]\\W*$")
#: How far from its end `ends_sentence` looks at a text first: further than the marks,
#: quotes and brackets that close a sentence.
SENTENCE_END_WINDOW = 64
#: A word character: where the closing marks of a sentence stop, read from its end.
WORD_CHAR_RE = re.compile(r"\w")


def goes_on(before: str, after: str) -> bool:
    """Whether line `after` goes on with the sentence of line `before`: it opens with a
    small letter, and `before` ends no sentence ("Content depth" / "is an arbitrary
    score"; a hard wrap's "the response" / "body"). Only a script with capitals shows it.
    """
    return after[:1].islower() and not ends_sentence(before)


def ends_sentence(text: str) -> bool:
    """Whether `SENTENCE_END_RE` finds a sentence's end in `text`, read from the end of the
    text: the regex alone tries every full stop of a long paragraph, and asked of every
    paragraph of a 1 MB article, that was a tenth of its decision rounds. A match that
    starts before the window leaves nothing but non-word characters in it; only then is
    the whole text searched.

    >>> ends_sentence("It rained. " * 20 + "It stopped.)"), ends_sentence("Read more")
    (True, False)
    """
    start = max(0, len(text) - SENTENCE_END_WINDOW)
    if SENTENCE_END_RE.search(text, start) is not None:
        return True
    return (start > 0 and WORD_CHAR_RE.search(text, start) is None
            and SENTENCE_END_RE.search(text) is not None)


#: A token with a digit: numbers are facts, and paragraphs that differ in them are different.
DIGIT_RE = re.compile(r"\d")

#: How a teaser ends when it was cut from a longer paragraph.
TRUNCATED_RE = re.compile(
    r"(?:\.\.\.|\u2026|\[\u2026\]|\[\.\.\.\])\W*(?:(?:read |see )?more\W*)?$"
    r"|\b(?:read|see) more\W*$|continue reading\W*$",
    re.IGNORECASE,
)
#: `TRUNCATED_RE` spelled backwards, each of its alternatives read from the end of the text
#: (`truncated`).
_TRUNCATED_BACKWARDS_RE = re.compile(
    r"(?:\W*erom(?: daer| ees)?)?\W*(?:\.\.\.|\u2026|\]\u2026\[|\]\.\.\.\[)"
    r"|\W*erom (?:daer|ees)\b|\W*gnidaer eunitnoc",
    re.IGNORECASE,
)


def truncated(text: str) -> bool:
    """Whether `TRUNCATED_RE` finds `text` cut short. Every match of it ends the text, so it
    is matched backwards, once, at the start of the text reversed: a search tries every
    position of the text with each alternative (6 us on a headline of 80 characters,
    0.3 us this way; `clean()` on the typical articles of benchmarks/ab_core.py asks it
    1.5 times an article, 0.6% of the time). The two agree on the corpus's 249,012 lines
    and on random strings of their words and marks (test_library).

    >>> truncated("Storm hits coast ..."), truncated("Read more »"), truncated("Moreover")
    (True, True, False)
    """
    return _TRUNCATED_BACKWARDS_RE.match(text[::-1]) is not None


#: Something only code has: brackets, operators, a trailing comma or semicolon, a prompt.
CODE_RE = re.compile(r"[{}()\[\]=;<>|\\]|,\s*$|^\s*[$#>]\s")
#: Something prose never has but code does: braces, a semicolon, an operator, a call
#: (``name(``), a prompt. Stricter than CODE_RE, which also takes a caption's brackets
#: ("[Photo (Credit: AP)]") for code.
CODE_SIGN_RE = re.compile(r"[{};\\]|[=<>]=|\w\(|^\s*[$#>]\s|\s=\s")

#: Words a gallery or a teaser adds around a caption or a paragraph ("... more", "less",
#: "Read more"): a copy that adds only these says nothing of its own.
CHROME_WORDS = frozenset({"more", "less", "read", "continue", "reading", "expand",
                          "collapse", "hide", "show", "close", "caption"})

#: Words of a page's own interface: what a video player, a gallery or a browser notice
#: says ("Media playback is unsupported on your device"), with the few small words such
#: messages are made of. A sentence of these alone says nothing of the article, however
#: often the page prints it (once per embedded video). Not the call to read on ("Continue
#: reading the main story"): it marks where the page broke the story, and people marking
#: the body keep it (the corpus's rdb-nytimes-2 has it five times). English only: a
#: message in another language is kept, as any repeated line is.
INTERFACE_WORDS = CHROME_WORDS | frozenset({
    "media", "video", "videos", "audio", "playback", "play", "player",
    "unsupported", "supported", "support", "supports", "device", "browser", "javascript",
    "enable", "enabled", "update", "upgrade", "loading", "advertisement", "ad", "ads",
    "click", "tap", "here", "view", "watch", "below", "above", "skip", "share", "subscribe",
    "newsletter", "scroll", "next", "previous", "back", "top", "full", "screen",
    "fullscreen", "gallery", "slideshow", "slide",
    "window", "embed", "embedded", "required", "requires", "cookies", "sorry", "unavailable",
    "available", "please", "try", "again", "later",
    "the", "a", "an", "is", "are", "this", "that", "it", "your", "you", "on", "in", "of",
    "to", "for", "with", "or", "and", "does", "not", "t", "can", "be", "must", "no",
    "longer",
})

#: The buttons of a share bar: social networks and the verbs of sharing. A line of these
#: alone ("Facebook Twitter WhatsApp Email", "Share this on WhatsApp") says nothing of the
#: article, however often the page prints it (above and below the story).
SHARE_VERBS = frozenset({
    "share", "shares", "sharing", "tweet", "email", "mail", "print", "copy", "link", "save",
    "comment", "comments", "permalink", "follow", "facebook", "twitter", "x", "linkedin",
    "whatsapp", "pinterest", "reddit", "flipboard", "messenger", "instagram", "youtube",
    "tumblr", "telegram", "google", "mix", "pocket", "sms", "threads", "bluesky",
    "mastodon", "snapchat", "tiktok", "rss",
})
#: ... with the small words such a bar is made of.
SHARE_WORDS = SHARE_VERBS | frozenset({
    "e", "on", "this", "article", "story", "page", "the", "to", "us", "via", "more", "less",
    "options", "services", "all", "or",
})

#: The words of a date line ("Published 11:34 PM EST Nov 19, 2019", "Tuesday November 19,
#: 2019"), beside its numbers: months and weekdays (English, as extractors print them),
#: the clock and its zones, and the labels a page puts before a date.
MONTH_AND_DAY_WORDS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs",
    "fri", "sat", "sun",
})
DATE_LINE_WORDS = MONTH_AND_DAY_WORDS | frozenset({
    "am", "pm", "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "et", "ct", "pt",
    "gmt", "utc", "bst", "cet", "cest", "ist", "jst", "aest", "aedt",
    "published", "updated", "posted", "modified", "last", "first", "on", "at", "date",
})
#: A hashtag (``#HoneyForHolidays``), not an anchor, an entity or a number (``#3``).
HASHTAG_RE = re.compile(r"(?<![\w&#])#[^\W\d_]\w*")
#: A clock time in a date line ("11:34").
CLOCK_RE = re.compile(r"\b\d{1,2}:\d{2}\b")

#: Words that turn a statement into its opposite (tokens as `match_tokens` makes them:
#: "don't" gives "don" and "t"). A copy that adds or drops one states another fact.
NEGATION_WORDS = frozenset({
    "not", "no", "never", "t", "nor", "neither", "none", "nothing", "without", "cannot",
    "nicht", "kein", "keine", "nie", "pas", "ne", "jamais", "non", "nunca", "nao", "não",
    "nem", "nessuno", "mai", "не", "нет", "ни", "ніколи", "不", "没", "無", "无", "未", "否",
    "ない", "안", "못", "لا", "لم", "لن", "ليس", "לא", "אין",
})

#: Numbers written as words (tokens as `match_tokens` makes them). A copy that changes one
#: ("four thousand residents" against "five thousand") states another fact, as a copy that
#: changes a figure does. "One", "un", "ein" are left out: they are articles and pronouns
#: as often as numbers.
NUMBER_WORDS = frozenset({
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand", "million", "billion", "trillion", "dozen", "half", "twice",
    "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "hundert",
    "tausend", "deux", "trois", "quatre", "cinq", "sept", "huit", "neuf", "dix", "cent",
    "mille", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez",
    "cien", "mil", "два", "три", "четыре", "пять", "десять", "сто", "тысяча",
})

#: A person's name alone on its line ("Ana Ruiz", "F. Kooman", "Michiel B. de Jong"): a
#: byline above a story or a document and its author's box or address below it name the
#: same person on purpose (attribution, not chrome). Two to four words, capitalised (a
#: particle such as "de" aside), letters only.
PERSON_NAME_RE = re.compile(
    r"(?:[^\W\d_]\.|[^\W\d_a-z][^\W\d_]*(?:['\u2019-][^\W\d_]+)?)"
    r"(?:\s+(?:[^\W\d_]\.|[^\W\d_a-z][^\W\d_]*(?:['\u2019-][^\W\d_]+)?|de|van|von|da|del|bin|al)){1,3}")

#: The words that name a photo ("Photo: Hau Dinh, AP", "Image: Getty").
IMAGE_WORDS = frozenset({"photo", "photos", "photograph", "image", "images", "picture",
                         "foto", "fotos"})
#: Words that open a photo credit ("Photo: Hau Dinh, AP", "Image: Getty", "© Reuters").
CREDIT_WORDS = IMAGE_WORDS | frozenset({"credit", "credits", "copyright", "source",
                                        "ap", "afp", "reuters", "getty"})

#: The words of a gallery's slide counter before a caption ("1 of 3", "Image 2 of 12").
SLIDE_COUNTER_WORDS = frozenset({"of", "image", "photo", "picture", "slide", "foto", "bild",
                                 "von", "de", "sur"})
#: A credit in brackets at the end of a caption: "(Ana Weiss/AP)", "(Reuters)".
CREDIT_IN_BRACKETS_RE = re.compile(r"\(([^()\n]{1,80})\)\W*$")
#: What a link's target holds and a credit does not: a scheme ("https://", "data:"),
#: "www.", a leading slash, hash or dot, a file's or a domain's ending.
#: A link to another page inside a line: markdown's "](", or an address ("://", "www.").
#: An anchor in the same page ("(#section)") is none.
OTHER_PAGE_LINK_RE = re.compile(r"\]\(|://|\bwww\.", re.IGNORECASE)
URL_LIKE_RE = re.compile(r"://|^[a-z][a-z0-9+.-]*:\S|www\.|^[/#.]|\.[a-z]{2,4}(?:/|$)",
                         re.IGNORECASE)

#: A photo credit on a line of its own ("Photo: Hau Dinh, AP", "(Image: Reuters)"): a
#: credit word, then a colon.
CREDIT_LINE_RE = re.compile(
    rf"\W*(?:{'|'.join(sorted(CREDIT_WORDS))})\s*:", re.IGNORECASE)

#: A photo's label on a line of its own: its credit or its alt text ("Photo: Hau Dinh, AP",
#: "Image: Protesters outside parliament", "[Photo credit: Getty]", "Фото: ТАСС"): an image
#: word, then a colon. Narrower than `CREDIT_LINE_RE`: a "Source:" or an agency's name
#: under each chart or item is attribution, which repeats on purpose.
IMAGE_LABEL_RE = re.compile(
    rf"\W*(?:{'|'.join(sorted(IMAGE_WORDS | {'bild', 'фото'}))})(?:\s+credits?)?\s*:",
    re.IGNORECASE)

#: The marker of a list item, as markdown writes it: a bullet or a number, then a space.
LIST_MARKER_RE = re.compile(r"(?:[*+\-\u2022]|\d{1,3}[.)])[ \t]+")
#: A list item on the line under the end of a sentence or a label (`SENTENCE_END_RE` or a
#: colon): where a list starts under a paragraph, with no blank line between them.
LIST_UNDER_PARAGRAPH_RE = re.compile(
    f"[{SENTENCE_END_MARKS}:][^\\w\\n]*\\n(?={LIST_MARKER_RE.pattern})")

#: A markdown link definition alone on its line, its URL unbroken: ``[2]: https://x.org/a``.
LINK_DEFINITION_RE = re.compile(r" {0,3}\[[^\]\n]+\]:[ \t]*\S+")
#: A line that is one markdown link and nothing else, perhaps a list item or around an
#: image: ``* [Radio](/listen/)``, ``[![Logo](/logo.png)](/)``: an entry of a menu, which
#: says no more than where it leads. (Link text holds no bracket but an image's: each "!"
#: has one reading, so a hostile line costs linear time.)
LINK_LINE_RE = re.compile(
    r"\s*(?:(?:[*+\-\u2022]|\d{1,3}[.)])[ \t]+)?!?\["
    r"(?:[^\[\]\n]|!\[[^\[\]\n]*\]\([^()\s]*\))*"
    r"\]\([^()\s]+(?:[ \t]+\"[^\"\n]*\")?\)\s*")
#: What a hard wrap leaves of a URL on the next line: one run of non-space characters, not
#: a definition's title (``"Title"``, ``(Title)``) nor another label.
URL_REST_RE = re.compile(r"[^\s\"'(\[<]\S*")
