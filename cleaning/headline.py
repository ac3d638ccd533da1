"""Find the headline and recognise its copies in any of their usual disguises.

A copy is the same words in another case, in ``**bold**``, as a ``# heading``, or with the
site's name appended (``Title | Site``, ``Title - Site``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, repeat

from cleaning import chardata
from cleaning.fingerprint import match_key, match_tokens

#: Without a title hint, the headline is looked for among this many first blocks.
HEADLINE_WINDOW = 3
#: Without a hint, a question headline's copies are only taken near the top, and with no
#: answer between them unless printed as a markdown heading (extractors print the page's
#: title so): an interview question that opens an article recurs before each answer and
#: must stay.
QUESTION_COPY_WINDOW = 4
#: A block this long between a question and its copy is an answer.
ANSWER_WORDS = 12
QUESTION_MARKS = "?\uff1f\u061f\u037e"
NOT_QUESTION_ENDS = ".!,:;\u3002\uff01"
#: Paragraphs between the opening line and a line that says the same, past which that line
#: stands in the body (a section heading, a prompt), not over it: one paragraph above a
#: headline's copy is a summary or a lede printed before the title again.
BODY_PARAGRAPHS = 2
#: Without a hint, copies of the headline are taken this near the top; further down, a copy
#: goes only as part of a repeated run (a body pasted twice with its headline).
COPY_WINDOW = 6
#: Without a hint, a line that recurs this often is structure, not a headline.
MAX_HEADLINE_COPIES = 3
#: A headline of this many words or more is specific: without a hint, its copies past
#: COPY_WINDOW are taken too when they stand among repeated material (real extractors print
#: it again after a photo gallery, 10 to 25 blocks down, or in a share box), however often
#: it recurs. A shorter one ("Photos", "New Zealand") may be a section heading.
SPECIFIC_HEADLINE_WORDS = 4
#: A kicker over the headline ("WORLD NEWS", "Opinion") is a word or two; a longer opening
#: line can be the headline itself.
KICKER_MAX_WORDS = 2
#: A block shorter than this that recurs is chrome beside which a headline copy goes (a
#: credit, a share line, a teaser); a paragraph that recurs may be a body pasted twice,
#: whose headline copy the exact runs take.
SHORT_CHROME_MAX_WORDS = 12
#: What an image's alt text adds after the headline it repeats, once per image: a word
#: such as "image" and a number ("Storm hits coast image 2", "Storm hits coast 3"), at most
#: this many tokens. A copy so marked, or in brackets, is the headline printed again as
#: alt text, wherever it stands.
ALT_TEXT_WORDS = frozenset({"image", "images", "photo", "picture", "img", "foto"})
ALT_TEXT_SUFFIX_TOKENS = 2
#: The words past a bold run or a link that a page converter printed on a line of its own
#: (`_inside_a_sentence`): the rest of a sentence, not a byline or a link.
SENTENCE_REST_MIN_WORDS = 4


@dataclass(frozen=True)
class Headline:
    """The headline: its display text and the block that holds it."""

    text: str
    block: int | None


def strip_markup(text: str) -> str:
    """The headline's text without markdown decoration.

    >>> strip_markup("**DeepSeek's Rise**")
    "DeepSeek's Rise"
    >>> strip_markup("## Breaking news ##")
    'Breaking news'
    """
    text = text.strip()
    if not _may_have_markup(text):
        return text
    return chardata.HEADING_MARKUP_RE.sub("", text).strip()


def _may_have_markup(stripped: str) -> bool:
    """Whether HEADING_MARKUP_RE can match in this stripped text: only at its ends, so
    only if it starts or ends with a markup character (the regex alone tries every
    position in between)."""
    return stripped[:1] in _MARKUP_STARTS or stripped[-1:] in _MARKUP_ENDS


_MARKUP_STARTS = frozenset("#*_>")
_MARKUP_ENDS = frozenset("#*_")


def without_site(text: str) -> str:
    """The headline as a reader sees it: no markup, no site name after it.

    >>> without_site("**Storm hits coast | The Daily Planet**")
    'Storm hits coast'
    """
    bare = strip_markup(text)
    suffix = chardata.SITE_SUFFIX_RE.match(bare)
    if suffix and len(match_tokens(suffix.group("title"))) >= 2:
        return suffix.group("title")
    return bare


def headline_keys(text: str) -> frozenset[str]:
    """Matching keys of a headline: the whole line, and the line without a site suffix.

    >>> sorted(headline_keys("Storm hits coast | The Daily Planet"))
    ['storm hits coast', 'storm hits coast the daily planet']
    """
    keys = {match_key(match_tokens(text))}
    bare = strip_markup(text)
    suffix = chardata.SITE_SUFFIX_RE.match(bare)
    if suffix and len(match_tokens(suffix.group("title"))) >= 2:
        keys.add(match_key(match_tokens(suffix.group("title"))))
    keys.discard("")
    return frozenset(keys)


def _alt_text_key(key: str) -> str | None:
    """The key of a headline copy printed as an image's alt text, without what the alt
    text adds (`ALT_TEXT_WORDS`, a number); None if it adds nothing of the kind.

    >>> _alt_text_key("storm hits coast image 2")
    'storm hits coast'
    """
    tokens = key.split()
    cut = len(tokens)
    while cut > 1 and len(tokens) - cut < ALT_TEXT_SUFFIX_TOKENS and (
            tokens[cut - 1].isdigit() or tokens[cut - 1] in ALT_TEXT_WORDS):
        cut -= 1
    return " ".join(tokens[:cut]) if cut < len(tokens) else None


def _alt_text(text: str, key: str, hkeys: frozenset[str]) -> bool:
    """Whether block `text` (matching key `key`) is the headline printed as an image's alt
    text: in brackets, or with a word such as "image" or a number after it."""
    stripped = text.strip()
    return (stripped.startswith(("[", "![")) and stripped.endswith("]") and key in hkeys) or (
        _alt_text_key(key) in hkeys)


def is_heading_like(text: str, words: int, max_words: int) -> bool:
    """Short, and either marked up as a heading or not ending like a sentence."""
    if words > max_words or "\n" in text:
        return False
    if _marked_up(text):
        return True
    return chardata.SENTENCE_END_RE.search(text) is None or is_question(text)


def find_headline(
    texts: Sequence[str],
    keys: Sequence[str],
    words: Sequence[int],
    hint: str | None,
    max_words: int,
) -> tuple[Headline | None, list[int]]:
    """The headline and the indices of the blocks that are later copies of it.

    The first block that carries the headline keeps it; every later copy is returned for
    removal. With a `hint` (the title a scraper already knows), copies are found anywhere;
    a hint that no line prints says nothing of the lines, which are then judged as
    without one (the headline reported is the hint).
    """
    if hint is not None and hint.strip():
        hkeys = headline_keys(hint)
        if not hkeys:
            return None, []
        holders = _holders(texts, keys, words, hkeys, max_words)
        if holders:
            return Headline(without_site(texts[holders[0]]), holders[0]), holders[1:]
        # The text never prints the hint as it is (an extractor printed the headline with
        # words around it, "Illustration for article titled ...", once per image): the
        # hint says nothing of its lines, which are judged as if none had been given.
        found, copies = _Search(texts, keys, words, max_words).run()
        return Headline(without_site(hint), found.block if found else None), copies
    return _Search(texts, keys, words, max_words).run()


class _Search:
    """The headline of a text without a hint, and its copies.

    The headline opens the article, or follows a summary or a kicker line. A later
    candidate counts only when printed twice near the top (and set as a heading, if the
    opening line could be the headline itself), or when nothing before it looks like a
    heading: a section heading repeated from a table of contents does not, nor a date line
    printed twice under the headline."""

    def __init__(self, texts: Sequence[str], keys: Sequence[str], words: Sequence[int],
                 max_words: int) -> None:
        self.texts, self.keys, self.words, self.max_words = texts, keys, words, max_words
        self.first_short: int | None = None  # the first block short enough to be a title
        self._others: _Others | None = None
        self._repeats: dict[int, bool] = {}  # `_may_repeat`'s answers

    def run(self) -> tuple[Headline | None, list[int]]:
        for i in range(min(HEADLINE_WINDOW, len(self.texts))):
            if not self._may_open(i):
                continue
            if self.first_short is None:
                self.first_short = i
            holders = self._repeated_candidate(i)
            if holders is None:
                continue
            copies = self._copies(i, holders)
            if copies is not None:
                return Headline(strip_markup(self.texts[i]), i), copies
        first = self.first_short
        if first is None or not is_heading_like(self.texts[first], self.words[first],
                                                self.max_words) or self._met_in_the_body(first):
            return None, []
        return Headline(strip_markup(self.texts[first]), first), []

    def _met_in_the_body(self, i: int) -> bool:
        """Whether the opening line `i` is met again inside the body: a section heading
        or a prompt, not a headline."""
        if not self._may_repeat(i):
            return False
        texts, keys, words = self.texts, self.keys, self.words
        holders = _holders(texts, keys, words, headline_keys(texts[i]), self.max_words)
        return any(self._in_the_body(i, c) for c in holders if c > i)

    def _in_the_body(self, i: int, c: int) -> bool:
        """Whether block `c`, which says what the headline candidate `i` says, stands inside
        the body: `BODY_PARAGRAPHS` paragraphs come between them, `c` is not set as a
        heading or in bold (as extractors print the page's title again), and what follows
        `c` is not what follows `i` (the body pasted again, headline and all). There it is
        the body's own: a section heading met twice, or a prompt ("Sign up for our
        newsletter") printed in the body and at its top."""
        before = self._paragraphs_before
        keys = self.keys
        return (before[c] - before[i + 1] >= BODY_PARAGRAPHS and not _marked_up(self.texts[c])
                and (c + 1 >= len(keys) or keys[c + 1] != keys[i + 1]))

    @cached_property
    def _paragraphs_before(self) -> list[int]:
        """How many paragraphs (`ANSWER_WORDS` words or more) stand before each block: one
        count for every question of `_in_the_body`, which a text of a hundred thousand
        copies of its opening line asks as often."""
        return list(accumulate((w >= ANSWER_WORDS for w in self.words), initial=0))

    def _may_open(self, i: int) -> bool:
        """Whether block `i` can be a title: short, one line, no photo credit, not the
        opening of a later paragraph cut short ("... need to...")."""
        text = self.texts[i]
        if self.words[i] > self.max_words or "\n" in text or chardata.CREDIT_LINE_RE.match(text):
            return False
        return not (self.first_short is None and chardata.truncated(text)
                    and _teaser_of_later(i, self.keys))

    def _repeated_candidate(self, i: int) -> list[int] | None:
        """The blocks that carry block `i`'s headline, `i` first, when `i` is a headline
        candidate met again; else None. The opening line may be any title; later ones must
        look like one."""
        texts, keys = self.texts, self.keys
        if " " not in keys[i]:  # one word or none (keys hold one space between two words)
            return None
        if i > 0 and not is_heading_like(texts[i], self.words[i], self.max_words):
            return None
        if not self._may_repeat(i):
            return None
        holders = _holders(texts, keys, self.words, headline_keys(texts[i]), self.max_words)
        return holders if holders[0] == i else None

    def _may_repeat(self, i: int) -> bool:
        """`_Others.may_repeat`, asked once a block."""
        if i not in self._repeats:
            if self._others is None:
                self._others = _Others(self.keys)
            self._repeats[i] = self._others.may_repeat(i)
        return self._repeats[i]

    def _copies(self, i: int, holders: list[int]) -> list[int] | None:
        """The copies of candidate `i`'s headline (held by `holders`), or None if `i` is
        not the headline after all."""
        texts, keys, words = self.texts, self.keys, self.words
        question = is_question(texts[i])
        specific = not question and len(keys[i].split()) >= SPECIFIC_HEADLINE_WORDS
        if specific and i == self.first_short and len(holders) > 1:
            return self._specific_copies(i, holders)
        near = [c for c in holders if i < c < COPY_WINDOW]
        if not self._printed_twice_on_top(i, near):
            return None
        if len(holders) > MAX_HEADLINE_COPIES:
            return []  # a line that recurs this often is structure
        if question:
            if any(words[k] >= ANSWER_WORDS for k in range(holders[1] + 1, holders[-1])):
                return []  # asked again past an answer: an interview's question, each time
            return [c for c in near if c < QUESTION_COPY_WINDOW and (
                chardata.MARKDOWN_HEADING_RE.match(texts[c])
                or all(words[k] < ANSWER_WORDS for k in range(i + 1, c)))]
        return [c for c in near if not self._in_the_body(i, c)]

    def _printed_twice_on_top(self, i: int, near: list[int]) -> bool:
        """Whether candidate `i`, with its copies `near` the top, is a headline printed
        twice there: right under it, with no paragraph between, if it is not the opening
        line, and set as a heading
        if the opening line could be the headline itself (else it is a date line or a
        link printed twice under the headline)."""
        first, texts = self.first_short, self.texts
        if not near or (i != first and (near[0] > i + 2 or any(
                self.words[k] >= ANSWER_WORDS for k in range(i + 1, near[0])))):
            return False  # (a line under the opening, printed again past a paragraph:
            # an attribution or a label of the body)
        return i == first or first is None or not _plausible_headline(
            texts[first], self.keys[first], self.words[first], self.max_words) or any(
            _marked_up(texts[c]) for c in (i, *near))

    def _specific_copies(self, i: int, holders: list[int]) -> list[int]:
        """A specific headline's copies: printed as an image's alt text (`_alt_text`),
        wherever they stand; near the top, unless in the body; further down, among
        chrome."""
        keys, words, texts = self.keys, self.words, self.texts
        hkeys = headline_keys(texts[i])
        alt = {c for c in holders[1:] if _alt_text(texts[c], keys[c], hkeys)}
        copies = [c for c in holders[1:]
                  if c in alt or (c < COPY_WINDOW and not self._in_the_body(i, c))]
        if holders[-1] >= COPY_WINDOW:  # copies further down: are they among chrome?
            chrome = _Chrome(keys, words)
            copies += [c for c in holders[1:]
                       if c >= COPY_WINDOW and c not in alt and chrome.beside(c)]
        return sorted(copies)


def _teaser_of_later(i: int, keys: Sequence[str]) -> bool:
    """Whether block `i` opens a later block, other than a copy of itself: a teaser of a
    paragraph further down, cut short (its last word may be cut too)."""
    prefix = keys[i].rsplit(" ", 1)[0]
    if len(prefix.split()) < SPECIFIC_HEADLINE_WORDS:
        return False
    return any(key != keys[i] and key.startswith(prefix) for key in keys[i + 1:])


def _marked_up(text: str) -> bool:
    """Whether a line is set as a heading or in bold: how a headline is printed again."""
    stripped = text.strip()
    return _may_have_markup(stripped) and chardata.HEADING_MARKUP_RE.search(stripped) is not None


def _plausible_headline(text: str, key: str, words: int, max_words: int) -> bool:
    """Whether an opening line can be the headline itself, not a kicker ("WORLD NEWS")."""
    return len(key.split()) > KICKER_MAX_WORDS and is_heading_like(text, words, max_words)


def is_question(text: str) -> bool:
    """True if `text` ends with a question mark (of any script), quotes or brackets aside.

    >>> is_question('He asked: "Why now?"'), is_question("It is now.")
    (True, False)
    """
    last = text[-1:]
    if last in QUESTION_MARKS:
        return True
    if not last or last.isalnum() or last in NOT_QUESTION_ENDS:
        return False
    return chardata.QUESTION_END_RE.search(text) is not None


class _Chrome:
    """Which blocks are a page's repeated chrome: a block that repeats an earlier one, or a
    short one printed more than once (a photo credit, a share line, a teaser cut short)."""

    def __init__(self, keys: Sequence[str], words: Sequence[int]) -> None:
        self.keys = keys
        self.words = words
        self.counts = Counter(keys)
        self.first: dict[str, int] = {}
        for n, key in enumerate(keys):
            self.first.setdefault(key, n)

    def beside(self, c: int) -> bool:
        """Whether block `c` stands beside chrome: a headline printed there (after a
        gallery, in a share box) is chrome too. A headline that recurs among the story's
        own paragraphs (the title of an embedded video) is content."""
        return any(0 <= n < len(self.keys) and self._is_chrome(n) for n in (c - 1, c + 1))

    def _is_chrome(self, n: int) -> bool:
        key = self.keys[n]
        if not key or self.counts[key] < 2:
            return False
        return self.first[key] < n or self.words[n] < SHORT_CHROME_MAX_WORDS


class _Others:
    """Cheap test: could a later block be a copy of block `i`'s headline? A copy's key
    equals it, or is it without a site name (a prefix), or is it with one (an extension).
    Each test is a pass over the later keys at C speed, not a loop in Python: 2.7 us a
    question (about two an article), where a search of one string of the keys and a loop
    over the lines found to open with the key's first word took 5.9 us."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = keys

    def may_repeat(self, i: int) -> bool:
        keys = self.keys
        key = keys[i]
        if keys.count(key) > 1:
            return True  # met again
        later = keys[i + 1:]
        if any(map(str.startswith, later, repeat(key + " "))):
            return True  # extended
        # Cut short after a word: a later key that this one opens with (one call for them
        # all; most keys open with none), then a space.
        return key.startswith(tuple(later)) and any(
            key[len(k):len(k) + 1] == " " for k in later if key.startswith(k))


def _holders(
    texts: Sequence[str],
    keys: Sequence[str],
    words: Sequence[int],
    hkeys: frozenset[str],
    max_words: int,
) -> list[int]:
    prefixes = tuple(k + " " for k in hkeys)
    found: list[int] = []
    for i, key in enumerate(keys):
        if not (key in hkeys or (
                key.startswith(prefixes) and words[i] <= max_words + 12 and "\n" not in texts[i]
                and (headline_keys(texts[i]) & hkeys or _alt_text_key(key) in hkeys))):
            continue  # (else the headline, with a site name or an alt text's number appended)
        if found and _inside_a_sentence(texts, i):
            continue  # a bold run or a link on a line of its own, not the headline again
        found.append(i)
    return found


def _inside_a_sentence(texts: Sequence[str], i: int) -> bool:
    """Whether block `i` is words inside a sentence that goes on in the next block: it
    ends no sentence, and the next block opens with a small letter and ends the sentence
    ("Content depth" / "is an arbitrary score ... of content."), as a page converter
    prints a bold run or a link on a line of its own. A byline under a headline ("by Jeff
    Foust") or a link ends no sentence. (Only a script with capitals shows it.)"""
    if i + 1 >= len(texts):
        return False
    rest = texts[i + 1]
    return (chardata.goes_on(texts[i], rest) and len(rest.split()) >= SENTENCE_REST_MIN_WORDS
            and chardata.ends_sentence(rest))
