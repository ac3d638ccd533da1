"""Blocks that say nothing: markup left over once entities are decoded.

Extractors leak markup that no reader sees: a rich-text editor's bookmark (TinyMCE writes
``<span data-mce-type="bookmark">&#65279;</span>``, which extractors emit escaped once or
twice), an inline ``<script>``. Such a block is removed without a twin: there is nothing it
repeats, and nothing of it is lost.

A block goes only when it is markup alone and one of these says it is residue: its elements
wrapped nothing but invisible characters (an editor's placeholder), its markup was escaped
twice (the page's source leaking: no one writes a code sample so), or it holds an inline
script or style (code between its tags) with no code or markup beside it. A tutorial's
samples, ``<script src="app.js"></script>`` or a script among the lines of a page's source,
and markup escaped once (a feed may escape a code sample) stay; so does text in angle
brackets that is no HTML element (a show called ``<Like This>``).

    >>> is_markup_only('<span data-mce-type="bookmark"></span>', revealed=True)
    True
    >>> is_markup_only("<script>window.ads = [];</script>", revealed=False)
    True
    >>> is_markup_only('<script src="vendor/app.js"></script>', revealed=False)
    False
    >>> is_markup_only("<Like This>", revealed=True)
    False
"""

from __future__ import annotations

from collections.abc import Sequence

from cleaning import chardata
from cleaning.blocks import Block


def is_markup_only(text: str, *, revealed: bool) -> bool:
    """Whether `text` is markup that shows nothing and is residue: `revealed` says its
    lines were repaired into it (a placeholder's invisible characters removed, markup
    escaped twice decoded), or it holds an inline script or style (`inline_code_blocks`
    asks that no code stand beside it)."""
    if not chardata.HTML_TAG_RE.search(text):
        return False
    without_code = chardata.INLINE_CODE_ELEMENT_RE.sub("", text)
    if chardata.HTML_TAG_RE.sub("", without_code).strip():
        return False  # something a reader sees
    return revealed or without_code != text


def revealed_markup(blocks: Sequence[Block]) -> list[int]:
    """The `revealed_markup` step (`cleaning.passes.STEPS`): the blocks that repairs
    revealed as markup alone (see `_revealed`), residue whatever stands beside them."""
    return [block.index for block in blocks
            if "<" in block.text and _revealed(block)
            and is_markup_only(block.text, revealed=True)]


def inline_code_blocks(texts: Sequence[tuple[int, str]]) -> list[int]:
    """The blocks of `texts` (the index and text of each block that stays, in order) that
    are an inline script or style standing among prose. One among other lines of code or
    markup (its own copies aside) is a sample, and stays. It depends on the neighbours, so
    it is asked of the blocks that survive each decision round (the `inline_scripts` step):
    what cleaning the output again sees."""
    found = []
    for n, (index, text) in enumerate(texts):
        if "<" not in text or not is_markup_only(text, revealed=False):
            continue
        if not any(_looks_like_code(texts[k][1]) for k in (n - 1, n + 1)
                   if 0 <= k < len(texts) and texts[k][1] != text):
            found.append(index)
    return found


def _revealed(block: Block) -> bool:
    """Whether repairs made the block markup: an editor's placeholder lost its invisible
    characters, or markup escaped twice was decoded (no one writes a code sample so)."""
    return any(repair.step == "remove_invisible"
               or (repair.step == "unescape_html" and chardata.TWICE_ESCAPED_MARKUP_RE.search(
                   repair.before) is not None)
               for line in block.lines for repair in line.repairs)


def _looks_like_code(text: str) -> bool:
    return chardata.HTML_TAG_RE.search(text) is not None or (
        chardata.CODE_SIGN_RE.search(text) is not None)
