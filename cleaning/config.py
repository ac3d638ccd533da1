"""The one configuration object of the cleaner."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from cleaning.errors import ConfigError

CandidateSearch = Literal["auto", "exact", "minhash"]

#: The range of every numeric option, and why it ends there: what a caller may ask for
#: costs time and memory in proportion, so each bound is where a larger value buys nothing
#: for an article and only lets one request hold a worker (a 7 KB article took 1.6 s at
#: ``num_perm`` 10,000; ``max_candidates`` 100,000 with every pair reported turned 215 KB
#: into a 59.9 MB answer).
OPTION_RANGES: dict[str, tuple[float, float, str]] = {
    "min_words": (1, 1000, "a block longer than a page is no paragraph"),
    "near_duplicate_threshold": (0, 1, "a share"),
    "containment_threshold": (0, 1, "a share"),
    "max_new_words": (0, 1, "a share"),
    "similar_report_threshold": (0, 1, "a share"),
    "shingle_words": (1, 10, "longer word n-grams match nothing but exact copies"),
    "shingle_chars": (1, 10, "likewise, for scripts written without spaces"),
    "exact_max_blocks": (1, 100_000, "past it, MinHash search is the faster one anyway"),
    "num_perm": (16, 512, "datasketch's accuracy gains little past 256; time grows with it"),
    "seed": (0, 2**32 - 1, "datasketch's seeds are 32-bit"),
    "lsh_bands": (1, 512, "at most num_perm bands of one row"),
    "lsh_rows": (1, 512, "at most num_perm rows in one band"),
    "max_candidates": (1, 64, "a block with more near twins than this is a template"),
    "max_kept_similar": (0, 10_000, "bounds the answer on thousands of look-alike lines"),
    "headline_max_words": (1, 200, "a headline is a line, not a paragraph"),
}


@dataclass(frozen=True, kw_only=True)
class CleanConfig:
    """How `clean` treats an article. Every field has a default that suits scraped news.

    The same names are the step labels in `CleanResult.fixes` and `removed`, and the option
    names that the HTTP service accepts.

    Repairs (each one can be switched off when a pipeline does it elsewhere):

    - `fix_encoding`: repair mojibake and other damage with ftfy (see `cleaning.repair` for
      the ftfy options and why each is set as it is).
    - `unescape_html`: decode HTML entities (``&amp;``, ``&#8217;``) line by line; a line
      that contains a tag is markup and keeps its entities.
    - `remove_invisible`: drop soft hyphens, byte-order marks, word joiners and zero-width
      spaces (these last only outside Thai, Lao, Khmer, Myanmar and Tibetan, where they mark
      word breaks). Joiners that build emoji or shape scripts are always kept.
    - `normalize_whitespace`: strip spaces and tabs at line ends and fold runs of them
      inside lines. No-break and ideographic spaces are kept: they are typography.
    - `join_cut_urls`: join a markdown link definition's URL that the hard wrap cut in
      two (``[2]: https://example.com/a-long-`` over ``path/``), so that the link works
      and its rest is no line of text (`cleaning.blocks.join_cut_urls` says when).

    Removals, one switch per pass (`cleaning.passes`). A pass switched off still runs,
    and what it would have removed stays, reported in `kept_similar`:

    - `remove_markup_only`: remove blocks that are markup alone and residue (a script, an
      editor's bookmark, escaped markup that shows nothing; see `cleaning.residue`).
    - `remove_repeated_headline`: remove later copies of the headline.
    - `remove_duplicate`: remove exact repeats (runs pasted again, stutters, ...).
    - `remove_near_duplicate`: remove blocks that repeat a kept one a word or so aside.
    - `remove_contained`: remove parts of kept blocks printed on their own (teasers,
      captions without their credit).
    - `min_words`: the size from which a block may be removed on its own (an isolated exact
      copy, a near duplicate or a contained teaser). Shorter blocks are structure (interview
      questions, table headers, attribution lines) and go only as part of a repeated run.
      Scripts without spaces count two characters as a word. Raise it to keep more.
    - `near_duplicate_threshold`: the Jaccard similarity of word shingles from which a
      block mostly inside a kept one is a near duplicate (removed). Below it, the block is
      removed only if it is a truncated teaser; otherwise it stays, reported. At 0.6 the
      held-out corpus lost 20 more lines (two meal-plan lines that differ by one
      ingredient, say), for 18% more recall on copies with a word dropped: precision first.
    - `containment_threshold`: the share of a block's shingles that must appear in the kept
      block for it to be removed. 0.8 tolerates one changed word in a 15-word paragraph.
    - `max_new_words`: the share of words a removed block may have that its kept twin lacks.
      Whatever the share, a removed block never brings a number or a capitalised name of
      its own: those are facts.
    - `similar_report_threshold`: pairs at least this similar that are kept are reported in
      `kept_similar`.
    - `shingle_words` / `shingle_chars`: shingle length for spaced scripts and for scripts
      written without spaces.

    Candidate search (all candidates are verified on the real shingle sets, so these change
    speed and recall, never what counts as a duplicate):

    - `candidate_search`: ``"exact"`` finds every pair that shares a shingle through an
      inverted index; ``"minhash"`` uses datasketch MinHash signatures and `MinHashLSH`;
      ``"auto"`` uses exact search up to `exact_max_blocks` eligible blocks.
    - `num_perm`, `seed`, `lsh_bands`, `lsh_rows`: the MinHash factory's parameters. Every
      signature in the library comes from them; `lsh_bands * lsh_rows` must be `num_perm`.
    - `max_candidates`: how many candidates per block are verified (the best first). It
      bounds the cost on pathological input such as thousands of near-identical lines.

    Headline:

    - `headline_max_words`: a longer block is never taken for the headline.

    Answer size:

    - `max_kept_similar`: at most this many `kept_similar` entries are returned (the most
      similar first is not guaranteed: they come in block order); `kept_similar_omitted`
      counts the rest.

    Every number has a range (`OPTION_RANGES`, with the reason for each bound): a value
    outside it is a `ConfigError`, so the library refuses what the service refuses.
    """

    fix_encoding: bool = True
    unescape_html: bool = True
    remove_invisible: bool = True
    normalize_whitespace: bool = True
    join_cut_urls: bool = True

    remove_markup_only: bool = True
    remove_repeated_headline: bool = True
    remove_duplicate: bool = True
    remove_near_duplicate: bool = True
    remove_contained: bool = True
    min_words: int = 12
    near_duplicate_threshold: float = 0.8
    containment_threshold: float = 0.8
    max_new_words: float = 0.1
    similar_report_threshold: float = 0.5
    shingle_words: int = 3
    shingle_chars: int = 3

    candidate_search: CandidateSearch = "auto"
    exact_max_blocks: int = 5000
    num_perm: int = 64
    seed: int = 1
    lsh_bands: int = 32
    lsh_rows: int = 2
    max_candidates: int = 16

    headline_max_words: int = 30
    max_kept_similar: int = 1000

    def __post_init__(self) -> None:
        for name, (low, high, why) in OPTION_RANGES.items():
            value = getattr(self, name)
            whole = isinstance(_DEFAULTS_OF[name], int)
            kind_ok = (isinstance(value, int) if whole else isinstance(value, (int, float)))
            if isinstance(value, bool) or not kind_ok:
                what = "a whole number" if whole else "a number"
                raise ConfigError(f"{name} must be {what}, got {value!r}")
            if not low <= value <= high:
                raise ConfigError(f"{name} must be from {low:g} to {high:g} ({why}), "
                                  f"got {value!r}")
        if self.candidate_search not in ("auto", "exact", "minhash"):
            raise ConfigError(
                "candidate_search must be 'auto', 'exact' or 'minhash', "
                f"got {self.candidate_search!r}"
            )
        if self.lsh_bands * self.lsh_rows != self.num_perm:
            raise ConfigError(
                f"lsh_bands * lsh_rows must equal num_perm ({self.lsh_bands} * {self.lsh_rows}"
                f" != {self.num_perm}): change one of the three"
            )

    @classmethod
    def from_options(cls, options: dict[str, Any], base: CleanConfig | None = None) -> CleanConfig:
        """Build a config from a mapping of option names, as the HTTP layer receives them.

        >>> CleanConfig.from_options({"min_words": 20}).min_words
        20
        >>> CleanConfig.from_options({"colour": 1})
        Traceback (most recent call last):
        ...
        cleaning.errors.ConfigError: unknown option 'colour'; known options: ...
        """
        if not options:
            return base or CLEAN_DEFAULTS
        options = _without_aliases(options)
        known = {f.name: f for f in fields(cls)}
        for name in options:
            if name not in known:
                raise ConfigError(f"unknown option {name!r}; known options: {', '.join(known)}")
        values = dict(options)
        for name, value in options.items():
            expected = type(getattr(CLEAN_DEFAULTS, name))
            if expected is bool and not isinstance(value, bool):
                raise ConfigError(f"{name} must be true or false, got {value!r}")
            if isinstance(value, bool) and expected is not bool:
                raise ConfigError(f"{name} must be of type {expected.__name__}, got {value!r}")
            if expected is float and isinstance(value, int):
                continue
            if expected is int and isinstance(value, float) and value.is_integer():
                values[name] = int(value)  # JSON's 20.0 is the integer 20 (JSON Schema too)
                continue
            if expected is not bool and not isinstance(value, expected):
                raise ConfigError(f"{name} must be of type {expected.__name__}, got {value!r}")
        return replace(base or CLEAN_DEFAULTS, **values)


#: Options of earlier versions, accepted by `CleanConfig.from_options` (so pipelines that
#: send them keep working), and the fields each one sets. ``remove_duplicates`` was the one
#: switch of the three passes that repeat a kept block without being a headline.
OPTION_ALIASES: dict[str, tuple[str, ...]] = {
    "remove_duplicates": ("remove_duplicate", "remove_near_duplicate", "remove_contained"),
}


def _without_aliases(options: dict[str, Any]) -> dict[str, Any]:
    """`options` with each alias replaced by the fields it sets (a field given by name as
    well wins). An alias's value must be of its fields' type even when they are all given,
    so that what the service accepts is what its schema says."""
    if OPTION_ALIASES.keys().isdisjoint(options):
        return options
    out = {name: value for name, value in options.items() if name not in OPTION_ALIASES}
    for alias, names in OPTION_ALIASES.items():
        if alias in options:
            value = options[alias]
            expected = type(getattr(CLEAN_DEFAULTS, names[0]))
            if not isinstance(value, expected):
                raise ConfigError(f"{alias} must be of type {expected.__name__}, got {value!r}")
            for name in names:
                out.setdefault(name, value)
    return out


#: Each field's default, to tell whole-number options from fractions.
_DEFAULTS_OF = {f.name: f.default for f in fields(CleanConfig)}

CLEAN_DEFAULTS = CleanConfig()
