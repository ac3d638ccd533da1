"""Fingerprints of blocks: the matching key, tokens, shingles and MinHash signatures.

The text used for matching is never the text returned: `match_tokens` folds case, width,
markup, punctuation and quote style; the output keeps the original characters.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING

from cleaning import chardata
from cleaning.config import CleanConfig

if TYPE_CHECKING:  # imported when a factory is made: they take half a second to import
    import numpy as np
    from datasketch import LeanMinHash, MinHash, MinHashLSH

Shingle = tuple[str, ...]


def match_tokens(text: str) -> list[str]:
    """The words of `text` as matching sees them: case, width, markup and punctuation
    folded; scripts without spaces split into characters.

    >>> match_tokens("**Don’t  PANIC!** — it's 4:05")
    ['don', 't', 'panic', 'it', 's', '4', '05']
    >>> match_tokens("北京大学")
    ['北', '京', '大', '学']
    """
    text = chardata.HTML_TAG_RE.sub(" ", text) if "<" in text else text
    if not text.isascii():
        text = chardata.without_typography(text)  # most text is then ASCII
    if text.isascii():
        # The same tokens as TOKEN_RE gives, many times faster: a bytes table.
        return _fold_ascii(text).split()
    return chardata.TOKEN_RE.findall(unicodedata.normalize("NFKC", text).casefold())


def tokenise(texts: Sequence[str]) -> tuple[list[list[str]], list[bool]]:
    """`match_tokens` of many blocks at once, with one pass of each string operation over
    the whole article instead of one per block; and for each block whether it may hold a
    script without spaces (if not, `has_nospace` is False for it).

    >>> tokenise(["Don’t panic.", "Café"])[0] == [match_tokens("Don’t panic."),
    ...                                           match_tokens("Café")]
    True
    """
    if not texts:
        return [], []
    whole = BLOCK_SEPARATOR.join(texts)
    if whole.count(BLOCK_SEPARATOR) != len(texts) - 1:
        return [match_tokens(t) for t in texts], [not t.isascii() for t in texts]
    if "<" in whole:
        whole = chardata.HTML_TAG_IN_BLOCK_RE.sub(" ", whole)
    if not whole.isascii():
        whole = chardata.without_typography(whole)  # most text is then ASCII
    if whole.isascii():
        folded = _fold_ascii(whole)
        return [part.split() for part in folded.split(BLOCK_SEPARATOR)], [False] * len(texts)
    return _tokenise_mixed(whole.split(BLOCK_SEPARATOR))


def _tokenise_mixed(parts: list[str]) -> tuple[list[list[str]], list[bool]]:
    """`tokenise` of blocks some of which are not ASCII, once markup and typography are
    folded: the ASCII blocks the cheap way, all at once (str.translate builds its table of
    ASCII replacements once per call); the others in one pass too (`_fold_unicode`)."""
    tokens: list[list[str]] = [[] for _ in parts]
    ascii_blocks = [i for i, part in enumerate(parts) if part.isascii()]
    if ascii_blocks:
        folded = _fold_ascii(BLOCK_SEPARATOR.join([parts[i] for i in ascii_blocks]))
        for i, part in zip(ascii_blocks, folded.split(BLOCK_SEPARATOR), strict=True):
            tokens[i] = part.split()
    high = [False] * len(parts)
    others = [i for i, part in enumerate(parts) if not part.isascii()]
    folded = _fold_unicode([parts[i] for i in others])
    any_high = chardata.FROM_THAI_ON_RE.search(folded) is not None
    for i, part in zip(others, folded.split(BLOCK_SEPARATOR), strict=True):
        if any_high and chardata.FROM_THAI_ON_RE.search(part) is not None:
            high[i] = True  # only blocks in such scripts pay for the regex
            if chardata.NOSPACE_CHAR_RE.search(part) is not None:
                tokens[i] = chardata.TOKEN_RE.findall(part)
                continue
        tokens[i] = part.split()
    return tokens, high


def _fold_unicode(parts: list[str]) -> str:
    """The non-ASCII blocks `parts`, joined, with case and width folded and every
    character that TOKEN_RE skips made a space.

    NFKC cannot join characters across the separator (a control character, which nothing
    composes with), so normalising the joined blocks is normalising each one. Every
    non-ASCII character that TOKEN_RE skips becomes a space; then only ASCII is left to
    fold, which bytes.translate does at C speed (TOKEN_RE skips ASCII punctuation too).
    Scripts without spaces stay where they were, from U+0E00 on."""
    joined = BLOCK_SEPARATOR.join(parts)
    if not unicodedata.is_normalized("NFKC", joined):
        # Only the blocks that need it: one that does would send all the others through
        # the slow path of a single call.
        joined = BLOCK_SEPARATOR.join([
            part if unicodedata.is_normalized("NFKC", part) else
            unicodedata.normalize("NFKC", part) for part in parts])
    folded = chardata.NONASCII_NONWORD_RE.sub(" ", joined.casefold())
    return folded.encode("utf-8").translate(chardata.ASCII_FOLD_BYTES).decode("utf-8")


def _fold_ascii(text: str) -> str:
    """ASCII `text` lowered, and every character that is not a letter or digit made a
    space (`chardata.ASCII_FOLD_BYTES`)."""
    return text.encode("ascii").translate(chardata.ASCII_FOLD_BYTES).decode("ascii")


#: Joins blocks for `tokenise`; a control character that repair removes.
BLOCK_SEPARATOR = "\x1f"


def match_key(tokens: Sequence[str]) -> str:
    """The exact-duplicate key: two blocks with the same key say the same thing."""
    return " ".join(tokens)


def has_nospace(text: str) -> bool:
    """True if `text` has characters of a script written without spaces."""
    return not text.isascii() and chardata.NOSPACE_CHAR_RE.search(text) is not None


def word_count(text: str, tokens: Sequence[str], nospace: bool | None = None,
               key: str | None = None) -> int:
    """A block's size in words (tokens with a letter: "2" or "—" are not words); scripts
    without spaces count two characters as a word. `key`, the tokens' `match_key` if
    known, spares looking for numbers among them when it holds no digit.

    >>> word_count("One two, 3 4 — three.", ["one", "two", "3", "4", "three"])
    3
    >>> word_count("北京大学是中国的大学", match_tokens("北京大学是中国的大学"))
    5
    """
    words = len(tokens)
    if key is None or not _no_digit(key):
        words -= sum(map(str.isdigit, tokens))
    if not (has_nospace(text) if nospace is None else nospace):
        return words
    chars = len(chardata.NOSPACE_CHAR_RE.findall(text))
    return words - chars + (chars + 1) // 2


def _no_digit(key: str) -> bool:
    """Whether `key` is ASCII without a digit, so that none of its tokens is a number: one
    C-level deletion, 0.2 us on a paragraph's key, where asking each of its tokens took 0.9
    (two blocks in three have no digit; 1% of `clean()` on typical articles)."""
    return key.isascii() and len(key.encode().translate(None, _DIGITS)) == len(key)


_DIGITS = b"0123456789"


def shingles(tokens: Sequence[str], config: CleanConfig, nospace: bool = False) -> set[Shingle]:
    """Overlapping token n-grams: words for spaced scripts, characters for the others.

    >>> sorted(shingles(["a", "b", "c", "d"], CleanConfig()))
    [('a', 'b', 'c'), ('b', 'c', 'd')]
    """
    return set(_ngrams(tokens, config.shingle_chars if nospace else config.shingle_words))


def shingle_ids(tokens: Sequence[str], config: CleanConfig, nospace: bool = False) -> set[int]:
    """`shingles` as ints (Python's hash of each n-gram), without building the set of
    tuples: for finding candidates, never for deciding."""
    return set(map(hash, _ngrams(tokens, config.shingle_chars if nospace
                                 else config.shingle_words)))


def shingle_count(tokens: Sequence[str], config: CleanConfig, nospace: bool = False) -> int:
    """How many shingles `tokens` make, counting a repeated one again: at least as many as
    `shingles` gives, and as many as the n-grams of `_ngrams`.

    >>> tokens = ["a", "b", "a", "b"]  # ("a", "b", "a") and ("b", "a", "b")
    >>> shingle_count(tokens, CleanConfig()), shingle_count(tokens * 2, CleanConfig())
    (2, 6)
    """
    k = config.shingle_chars if nospace else config.shingle_words
    return max(len(tokens) - k + 1, 1) if tokens else 0


def _ngrams(tokens: Sequence[str], k: int) -> Iterable[Shingle]:
    """The overlapping `k`-grams of `tokens`; a block of `k` tokens or fewer is one.

    (One implementation for every `k`: spelling out ``zip(t, t[1:], t[2:])`` for the
    default 3 saved 2.5% of `clean()` on typical articles, `benchmarks/ab_core.py`, under
    the 5% a second version must save to stay. This one comes within 0.3 us a block of
    it: the tokens themselves, not a copy, then their tails, by slices made once a `k`,
    with no comprehension, and no ``strict=`` (zip parses a keyword at 0.15 us a call);
    0.3 to 0.4 us a block less than ``zip(*[tokens[i:] for i in range(k)], strict=False)``,
    1% of `clean()`.)

    >>> [["".join(gram) for gram in _ngrams("abcd", k)] for k in (1, 2, 4, 5)]
    [['a', 'b', 'c', 'd'], ['ab', 'bc', 'cd'], ['abcd'], ['abcd']]
    """
    if len(tokens) <= k:
        return [tuple(tokens)] if tokens else []
    return zip(tokens, *map(tokens.__getitem__, _tails(k)))  # noqa: B905


@cache
def _tails(k: int) -> tuple[slice, ...]:
    """The slices of a sequence's tails that `_ngrams` zips with it: from 1 to `k` - 1."""
    return tuple(slice(i, None) for i in range(1, k))


def shingle_hash(shingle: Shingle) -> int:
    """A 32-bit hash of a shingle that is the same in every process (unlike `hash`)."""
    return zlib.crc32("\x1f".join(shingle).encode("utf-8"))


#: Shingle hashes permuted at once by `MinHashFactory.signatures`: 16,384 x num_perm 128
#: x 4 bytes is an 8 MB matrix, and numpy's per-call overhead is lost in it.
SIGNATURE_SLICE = 1 << 14


class MinHashFactory:
    """The one source of MinHash signatures: one `num_perm`, one seed, one hash function.

    datasketch refuses to compare signatures built differently, and so does this library:
    every signature, within an article and across articles, comes from a factory made from
    the same `CleanConfig`. `signatures` computes many at once with numpy and gives the
    same values as datasketch's own `MinHash.update_batch` (a test holds it to that).
    """

    def __init__(self, config: CleanConfig) -> None:
        # datasketch (with SciPy) and numpy take half a second to import, and most articles
        # never need a signature: they are imported with the first factory, not with
        # `cleaning` (every `newsclean` command and every worker boot would pay it).
        import numpy as np
        from datasketch import MinHash

        self.num_perm = config.num_perm
        self.seed = config.seed
        self.template = MinHash(num_perm=config.num_perm, seed=config.seed,
                                hashfunc=_identity, scheme="affine32")
        a, b = self.template.permutations
        self._a = np.asarray(a, dtype=np.uint32)
        self._b = np.asarray(b, dtype=np.uint32)

    def new(self, hashes: Iterable[int] = ()) -> MinHash:
        """A datasketch MinHash of these 32-bit shingle hashes."""
        m = self.template.copy()
        values = list(hashes)
        if values:
            m.update_batch(values)
        return m

    def signatures(self, groups: Sequence[Sequence[int]]) -> list[LeanMinHash]:
        """Signatures of many shingle-hash groups at once; an empty group gets none."""
        import numpy as np
        from datasketch import LeanMinHash
        lengths = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
        if not lengths.any():
            return [LeanMinHash(self.template) for _ in groups]
        total = int(lengths.sum())
        flat = np.fromiter((h for g in groups for h in g), dtype=np.uint32, count=total)
        mixed = _fmix32(flat)
        group_of = np.repeat(np.arange(len(groups)), lengths)
        mins = np.full((len(groups), self.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
        # The hashes permuted a slice at a time: all at once, a 5 MB article's 800,000
        # shingles made a 400 MB matrix (num_perm values each), most of a worker's peak.
        for lo in range(0, total, SIGNATURE_SLICE):
            part = mixed[lo:lo + SIGNATURE_SLICE, None] * self._a[None, :] + self._b[None, :]
            owner = group_of[lo:lo + SIGNATURE_SLICE]
            starts = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
            rows = owner[starts]
            mins[rows] = np.minimum(mins[rows], np.minimum.reduceat(part, starts, axis=0))
        empty = self.template.hashvalues
        return [LeanMinHash(seed=self.seed, hashvalues=mins[k] if length else empty,
                            scheme="affine32") for k, length in enumerate(lengths)]

    def lsh(self, bands: int, rows: int) -> MinHashLSH:
        """An empty LSH index for this factory's signatures, with fixed bands (building
        one from a threshold costs ~9 ms of numerical integration)."""
        from datasketch import MinHashLSH

        return MinHashLSH(num_perm=self.num_perm, params=(bands, rows))


def _identity(value: int) -> int:
    return value


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch's "affine32" scheme applies it."""
    import numpy as np
    h = h.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h
