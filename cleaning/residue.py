"""Blocks that say nothing: markup left over once entities are decoded.

Extractors leak markup that no reader sees: a rich-text editor's bookmark (TinyMCE writes
``<span data-mce-type="bookmark">&#65279;</span>``, which extractors emit escaped once or
twice), an inline ``<script>``. Such a block is removed without a twin: there is nothing it
repeats, and nothing of it is lost.

A block goes only when it is markup alone and one of these says it is residue: it holds an
inline script or style (code between its tags), its elements wrap nothing but invisible
characters (a placeholder), or its markup came from decoded entities (the page's source
leaking). A tag written raw on its own line, ``<script src="app.js"></script>`` say, may be
a code sample in a tutorial, and stays; text in angle brackets that is no HTML element (a
show called ``<Like This>``) is text.

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
    """Whether `text` is markup that shows nothing and is residue: it holds an inline script
    or style, or `revealed` says its lines were repaired into it (entities decoded,
    a placeholder's invisible characters removed)."""
    if not chardata.HTML_TAG_RE.search(text):
        return False
    without_code = chardata.INLINE_CODE_ELEMENT_RE.sub("", text)
    if chardata.HTML_TAG_RE.sub("", without_code).strip():
        return False  # something a reader sees
    return revealed or without_code != text


def markup_only_blocks(blocks: Sequence[Block]) -> list[int]:
    """The blocks that are only markup: the `markup_only` pass."""
    return [block.index for block in blocks
            if "<" in block.text and is_markup_only(block.text, revealed=any(
                repair.step in REVEALING_STEPS for line in block.lines
                for repair in line.repairs))]


#: Repairs after which markup alone is residue: what was escaped or hidden.
REVEALING_STEPS = frozenset({"unescape_html", "remove_invisible"})
