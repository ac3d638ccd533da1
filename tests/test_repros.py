"""Inputs that broke the library, each kept as a test: the shared repro files when they are
beside the checkout (`../shared/repros/*.jsonl`), and the classes they showed, in our own
words."""

from __future__ import annotations

import json
import os

import pytest

from cleaning import clean
from tests.conftest import SHARED
from tests.patchutil import apply_patch

REPROS = sorted((SHARED / "repros").glob("*.jsonl"))


def shared_repros() -> list[dict[str, object]]:
    return [json.loads(line) for path in REPROS
            for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


@pytest.mark.skipif(not REPROS and os.environ.get("CI") != "true",
                    reason="../shared/repros is not beside this checkout")
@pytest.mark.parametrize("repro", shared_repros() or [None])
def test_a_shared_repro_cleans_and_is_idempotent(repro: dict[str, object] | None) -> None:
    assert repro is not None, "CI=true but ../shared/repros holds no repro"
    text = repro.get("text")
    data = text if isinstance(text, str) else str(repro["bytes_latin1"]).encode("latin-1")
    title = repro.get("title")
    charset = repro.get("charset")
    result = clean(data, title=title if isinstance(title, str) else None,
                   charset=charset if isinstance(charset, str) else None)
    assert clean(result.text, title=title if isinstance(title, str) else None).text == result.text


def test_a_removal_never_names_a_block_that_went_as_its_copy() -> None:
    # The headline opens the text and is printed again further down; the sentence under it
    # is printed again as the body's, so the first copy (in a box of sentences lifted from
    # the body) goes, and the headline with it, as a copy of its later print. The headline
    # pass then met that later print as the headline's copy: it named itself as its twin,
    # and the runs could not be built (KeyError, an HTTP 500).
    headline = "The park will be open to visitors around the clock."
    sentence = ("The lane is separated from the traffic by a low wall and joins the "
                "riverside path on both banks.")
    text = "\n".join([headline, sentence, "Library lending figures", sentence,
                      "Testing a web page in the browser", "Ben Cole | 1 | 75", headline,
                      "Ben Cole | 1 | 75"]) + "\n"
    result = clean(text)
    kept = {r.block for r in result.removed}
    assert all(r.twin not in kept and r.twin != r.block for r in result.removed)
    assert result.text.count(headline) == 1
    assert result.text.count(sentence) == 1
    assert clean(result.text).text == result.text


@pytest.mark.parametrize(("damaged", "repaired"), [
    ("Salt &\x07amp; pepper", "Salt & pepper"),
    ("Cr&\x07egrave;me br&\x07ucirc;l&\x07eacute;e", "Crème brûlée"),
    ("An &\x07lt;i&\x07gt; tag", "An <i> tag"),
])
def test_an_entity_split_by_a_control_character_is_decoded_at_once(damaged: str,
                                                                    repaired: str) -> None:
    result = clean(damaged)
    assert result.text == repaired + "\n"
    assert clean(result.text).text == result.text


def test_a_copy_with_leaked_markup_that_no_list_of_copies_holds_does_not_crash() -> None:
    # Found by the fuzzer (stop 26): the block before a stutter held leaked markup, but a
    # run had passed over it, so it was in no list of kept copies: ValueError, an HTTP 500.
    text = ('storm\n\n—\nstorm storm Council\n\nstorm storm Council &lt;span data-mce-type='
            '"bookmark"&gt;&amp;#65279;&lt;/span&gt;\nstorm storm Council')
    result = clean(text)
    assert clean(result.text).text == result.text


def test_a_group_that_loses_a_line_is_cut_into_the_same_blocks_again() -> None:
    # Found by a fuzzer: a group of lines taken apart, a list under its first lines. The
    # lines above the list were taken apart because one of them was printed twice; once the
    # copy went, they read as one block when the output was cleaned again (the list is cut
    # off first, and each part judged on its own), the headline was another block, and a
    # line of the list went as its copy: the output cleaned differently again.
    text = ("café said город город AP\ncafé said город город AP\nsaid\n.\n"
            "* storm город город storm\nstorm город город storm\n\u200b\nstorm")
    result = clean(text)
    assert clean(result.text).text == result.text
    assert result.text.count("café said город город AP") == 1
    assert "said\n.\n* storm город город storm\n" in result.text


def test_link_definitions_cut_by_a_wrap_are_joined_once_what_ended_them_went() -> None:
    # Found by a fuzzer: two link definitions cut by a hard wrap, then an editor's bookmark
    # on the next line, with no blank line between. The bookmark kept the definitions from
    # being joined (they did not end there); it went as markup alone, and cleaning the
    # output again joined them, which made the lines under the paragraph read as one
    # block. They are joined at once now, and judged as they read then: the bookmark is a
    # line of that block, and stays (without its invisible character).
    paragraph = ("Crews from two stations fought the fire on the east quay for three hours "
                 "before it was out, the harbour master said.")
    text = (f"Harbour fire destroys three boats\n\n{paragraph}\n"
            "[1]: https://example.org/harbour-fire-\nthree-boats\n"
            "[2]: https://example.org/harbour-fire-\nthe-crews\n<span>&#65279;</span>\n")
    result = clean(text)
    assert clean(result.text).text == result.text
    assert "[1]: https://example.org/harbour-fire-three-boats\n" in result.text
    assert "[2]: https://example.org/harbour-fire-the-crews\n" in result.text
    assert result.removed == []
    assert result.text.endswith("the-crews\n<span></span>\n")
    assert apply_patch(result.input_text, result.diff) == result.text


def test_a_link_definition_whose_rest_stays_is_not_removed_under_a_definition_joined() -> None:
    # Found by a fuzzer: definitions cut by a wrap, each under the first line repeated (a
    # short definition, "[1]: https://example.org/s", which no wrap cut at its width). Those
    # went as copies of the headline, their rest ("torm-at-the-quay") stayed, and cleaning
    # the output again joined it to the definition above, which was joined already: a URL
    # that no one wrote. Joining lines with a line that went between them is no repair: the
    # lines between stay instead, as cleaning the output again keeps them.
    cut = "[1]: https://example.org/Photo\n:-harbour-fire\n"
    short = "[1]: https://example.org/s\ntorm-at-the-quay\n"
    text = f"{short}{cut}{short}\ntorm-at-the-quay\n{cut}{short}"
    result = clean(text)
    assert clean(result.text).text == result.text
    assert result.removed == []
    assert result.text.count(short) == 3
    assert result.text.count("[1]: https://example.org/Photo:-harbour-fire\n") == 2
    assert apply_patch(result.input_text, result.diff) == result.text


def test_markup_alone_in_a_group_stays_when_the_group_would_be_cut_otherwise_without_it() -> None:
    # Found by a fuzzer: an editor's bookmark between a headline and a photo credit, in a
    # group over a paragraph wider than a wrap. With the bookmark, the group's lines are
    # no wrapped paragraph, and were taken apart; the bookmark went as markup alone, and
    # cleaning the output again read the lines left as one block, the paragraph printed
    # twice under it as a copy, and the text as one paragraph a line. Markup alone stays
    # when its group's lines left would be cut into other blocks (nothing is lost: it
    # says nothing, and its invisible character is gone).
    paragraph = ("Crews from two stations fought the fire on the east quay for three hours "
                 "before it was out, the harbour master said.")
    text = (f"Harbour fire\n<span>&#65279;</span>\nPhoto: Ana Weiss for the Gazette, AP\n"
            f"{paragraph}\n\n{paragraph}\n{paragraph}\n")
    result = clean(text)
    assert clean(result.text).text == result.text
    assert result.text.startswith("Harbour fire\n<span></span>\nPhoto: Ana Weiss")
    assert result.text.count(paragraph) == 3


def test_a_block_the_output_cuts_in_two_is_not_taken_back_as_its_own_copy() -> None:
    # Found by a fuzzer: a group taken apart (a paragraph wider than a wrap, printed twice),
    # with a menu under it that is one block. The paragraph's copy went, and the lines left
    # read otherwise (the group collapsed), so the output was cleaned again: there the menu
    # was two entries, one a copy of the other. Taken back to the article, that removed the
    # menu's block as a copy of itself (KeyError, an HTTP 500). An article's block goes only
    # when every output block of its lines goes; here the group is then held back whole.
    paragraph = ("Crews from two stations fought the fire on the east quay for three hours "
                 "before it was out, the harbour master said.")
    text = (f"{paragraph}\nm-harbour\nhttps://example.org/Photo:\n-harbour-quay\n{paragraph}\n"
            "* [Local](/local/)\n[Local](/local/)\n[2]:\n\nhttps://example.org/Council-Council")
    result = clean(text)
    assert clean(result.text).text == result.text
    assert result.removed == []
    assert result.text == text + "\n"


def test_lines_held_back_leave_an_output_that_settles_as_cleaning_it_again_does() -> None:
    # Found by a fuzzer (shrunk): link definitions cut by a wrap, each under the headline
    # printed again, pasted twice in one group. The group collapsed and did not settle, so
    # its lines were held back; cleaning that output again, the group collapsed there too,
    # and settled, removing a copy of the headline the first cleaning kept. The output of
    # lines held back is settled as any other now.
    head = "Harbour fire destroys three boats"
    defs = (f"[3]: https://example.org/harbour-quay-st\norm-said-storm-café-storm-2019\n{head}\n"
            f"[2]: https://example.org/?-город-.-storm\n-said-said-.\n{head}\n"
            "[1]: https://example.org/storm-Council-P\nhoto:-storm-quay-город\n"
            "* said café café\n\n")
    text = (defs + defs + "город\nCouncil\nresidents.\nгород\nCouncil\n"
            "The council voted on Tuesday night to keep the old ferry residents.\nAP\n"
            "Photo:\n.\nAP\nnight keep the old ferry landing open through the winter, after "
            "a petition signed by 4,000 residents.\nharbour\n"
            "https://example.org/harbour-quay-st\norm-said-storm-café-storm-2019\nboats\n"
            "https://example.org/?-город-.-storm\n-said-said-.\nboats\n"
            "hoto:-storm-quay-город\ncafé")
    result = clean(text, title=head)
    assert clean(result.text, title=head).text == result.text
    assert result.text.count(head) == 1
