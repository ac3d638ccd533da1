"""Rules drawn from real extractor output and from the fuzzer, each with the case that
showed it: what goes, what stays, and why the record says so.

The golden cases in seeds/ (015-029) hold the same rules on whole articles; these tests
pin the mechanisms one at a time.
"""

from __future__ import annotations

import pytest

from cleaning import CharsetError, CleaningError, clean
from cleaning.align import TokenAlignment
from cleaning.blocks import looks_like_wrapped_paragraph, separate_paragraphs, split_lines
from cleaning.config import CLEAN_DEFAULTS, CleanConfig
from cleaning.passes import PASS
from cleaning.repair import repair_line
from tests.conftest import SEEDS
from tests.patchutil import apply_patch


def kinds(text: str, title: str | None = None) -> list[tuple[str, int, int | None]]:
    return [(r.kind, r.block, r.twin) for r in clean(text, title=title).removed]


def test_a_line_printed_twice_in_a_row_goes_if_it_states_a_fact() -> None:
    text = ("Ferry strike ends\n\nAssociated Press March 3, 2021, 6:40 AM\n\n"
            "Associated Press March 3, 2021, 6:40 AM\n\nThe crews went back to work.")
    assert kinds(text) == [("duplicate", 2, 1)]


def test_common_words_printed_twice_in_a_row_stay_and_are_reported() -> None:
    text = ("Rail fares rise again\n\nFares rise in January.\n\n"
            "Continue reading the main story\n\nContinue reading the main story\n\nMore.")
    result = clean(text)
    assert result.removed == []
    assert [(k.block, k.twin) for k in result.kept_similar] == [(3, 2)]


def test_product_cards_that_share_bullets_stay_with_one_line_a_block() -> None:
    # Two shop cards, one line a block (no blank lines): the bullets the two products share,
    # then three lines that differ (the last bullet, the product's name, its price), then
    # the shop's lines again. The shared bullets are the template's, not a paste.
    def card(last: str, name: str, price: str) -> list[str]:
        return ["Keeps drinks hot for twelve hours", "Fits in most car cup holders",
                "Lid locks shut for the bag", "Dishwasher safe, lid and all", last, name,
                price, "Available from the Harbour Shop", "We may earn a commission"]
    text = "\n".join(["Six flasks for the winter", "Our picks, tested on the ferry.",
                      "Steel flask", *card("Holds 500 ml", "Steel flask, 500 ml", "$24.00"),
                      "Steel flask, large", *card("Holds 750 ml", "Steel flask, 750 ml",
                                                  "$29.00"),
                      "Prices were checked on Monday."])
    result = clean(text)
    assert result.removed == []
    assert {k.rule for k in result.kept_similar} <= {"template", "short_structure"}


def test_a_slide_printed_twice_whole_goes_but_a_line_of_common_words_stays() -> None:
    # A gallery's slide printed twice in a row, "Previous" and "Next" and all. Its title,
    # over every slide, is a paragraph long but names nothing (no number, no capital past
    # the first word): only the paragraph's length says that the pair is a copy. (The
    # title is met four times, so the slide is no pasted run, which is mostly blocks met
    # twice.) The other slides, under the same title, stay: their captions differ.
    title = ("“one photograph can say what the whole village felt when the sea came in” "
             "reader gallery")
    slides = [[title, caption, "Previous", "Next"]
              for caption in ("waves at dawn", "waves at dawn", "frost on the dunes",
                              "a seal on the beach")]
    text = "\n\n".join(["Winter on the coast", "Readers sent us their pictures.",
                         *(block for slide in slides for block in slide)])
    result = clean(text)
    assert [(r.rule, r.block, r.twin) for r in result.removed] == [
        ("stutter", 6 + k, 2 + k) for k in range(4)]
    # Two blocks that say little, printed twice in a row, stay (see above).
    short = "\n\n".join(["Winter on the coast", "Readers sent us their pictures.",
                          "waves at dawn", "Previous", "waves at dawn", "Previous"])
    assert clean(short).removed == []


def test_a_player_notice_printed_per_video_goes_but_a_label_stays() -> None:
    # Each embedded video prints the same notice above its own caption.
    notice = "Video playback is not supported in your browser"
    text = "\n\n".join([
        "Flood waters recede", notice, "Video caption: Residents return to Marlow",
        "The river fell by a metre overnight, and the council reopened two bridges.",
        notice, "Video caption: The clean-up begins", "Back to top",
        "Schools stay shut until Monday.", "Back to top"])
    result = clean(text)
    assert kinds(text) == [("duplicate", 4, 1)]
    assert result.removed[0].reason == PASS["duplicate"].explanation
    # A short label met twice is structure (a separator), and stays reported.
    assert [(k.block, k.twin) for k in result.kept_similar] == [(8, 6)]


def test_a_notice_that_is_not_only_interface_words_stays() -> None:
    # "Flood" and "Marlow" are the article's words: this is a line of the story.
    line = "Flood video of Marlow is not available on your device"
    text = "\n\n".join(["Flood waters recede", line, "The river fell overnight.", line])
    assert kinds(text) == []


def test_the_date_line_printed_again_at_the_foot_goes() -> None:
    date = "Published 9:12 AM CET Mar 4, 2021"
    body = [f"Paragraph {n} of the report on the harbour, with its own words." for n in "ABCDE"]
    text = "\n\n".join(["Harbour reopens", "Lena Berg, Coastal Desk", date, *body, date])
    assert kinds(text) == [("duplicate", 8, 2)]


@pytest.mark.parametrize("dates", [
    # The items of a list, each with its date: met three times, they stay.
    ["Tuesday November 19, 2019"] * 3,
    # Two entries of a live blog below the head with the same time stamp.
    ["Nov 19, 2019 11:34 PM"] * 2,
])
def test_dates_that_belong_to_items_stay(dates: list[str]) -> None:
    items = [f"Item {n}: an opinion piece with a teaser of its own." for n in "ABC"]
    parts = ["Related articles", "Read more from our writers.", "Top picks of the week.",
             "Chosen by the editors.", "Updated weekly.", "Six in all."]
    for date, item in zip(dates, items, strict=False):
        parts += [item, date]
    assert kinds("\n\n".join(parts)) == []


def test_a_credit_printed_again_after_the_caption_that_ends_with_it_goes() -> None:
    caption = "Dancers open the harvest festival in Lindau on Friday."
    text = "\n\n".join(["Festival opens", f"{caption}\n... more\nPhoto: Jo Brandt, AP",
                        "Photo: Jo Brandt, AP", "The festival runs for nine days."])
    result = clean(text)
    assert kinds(text) == [("contained", 2, 1)]
    assert result.removed[0].reason == PASS["contained"].explanation


def test_a_credit_printed_again_after_a_one_line_caption_that_ends_with_it_goes() -> None:
    caption = "Dancers open the harvest festival in Lindau on Friday. ... more"
    text = "\n\n".join(["Festival opens", f"{caption} Photo: Jo Brandt, AP",
                        "Photo: Jo Brandt, AP", "The festival runs for nine days."])
    assert kinds(text) == [("contained", 2, 1)]


def test_a_sentence_printed_again_after_a_one_line_paragraph_stays() -> None:
    # Only a credit: the end of a one-line paragraph printed again alone is a pull quote.
    text = "\n\n".join(["Festival opens", "The mayor opened it at noon. Ticket sales rose "
                        "by a third, to 40,000.", "Ticket sales rose by a third, to 40,000.",
                        "The festival runs for nine days."])
    assert kinds(text) == []


def test_a_list_item_then_a_line_of_common_words_stays() -> None:
    # The line says nothing of its own (no number, no name): kept, as a stutter is.
    text = "Packing list\n\n- a warm coat\n- good boots\n\ngood boots\n\nThat is all."
    assert kinds(text) == []


def test_a_copy_whose_neighbours_repeat_with_a_slot_varied_stays() -> None:
    # A meal plan: the same lunch under Monday and Wednesday, the days differing.
    days = ["Monday", "Lunch: Lentil soup with rye bread and a green salad on the side",
            "Snack: An apple", "Tuesday", "Lunch: Chickpea salad", "Snack: An apple",
            "Wednesday", "Lunch: Lentil soup with rye bread and a green salad on the side",
            "Snack: Yoghurt"]
    result = clean("\n\n".join(["A week of lunches", *days]))
    assert result.removed == []
    assert any("template" in k.reason for k in result.kept_similar)


def test_a_sentence_in_a_highlights_box_goes_from_the_box() -> None:
    box = ["The bridge cost twice its first budget.", "Cyclists get a lane of their own."]
    body = ["The city opened the new bridge on Monday, two years late and with a long queue.",
            box[0], "Engineers blamed the soft river bed and the deeper piles it needed.",
            box[1], "The lane joins the riverside path."]
    result = clean("\n\n".join(["Bridge opens", "Highlights", *box, *body]))
    assert [(r.block, r.twin) for r in result.removed] == [(2, 5), (3, 7)]


def test_a_caption_without_its_credit_or_cut_short_is_the_caption() -> None:
    caption = ("Children carry paper lanterns through the market square in Ravensburg on "
               "Saturday, Dec. 4, 2021, on the opening night of the winter fair.")
    text = "\n\n".join([
        "Lanterns light the old town", f"[{caption} Photo: Ana Weiss, Reuters]",
        f"{caption} less", caption[:90] + " ... more", "The fair opened on Saturday."])
    assert kinds(text) == [("contained", 2, 1), ("contained", 3, 1)]


def test_a_sentence_lifted_out_of_a_paragraph_stays() -> None:
    paragraph = ("The council met on Monday. It voted to close the old harbour road for "
                 "good, after a year of complaints from the people who live along it.")
    quote = ("It voted to close the old harbour road for good, after a year of complaints "
             "from the people who live along it.")
    result = clean("\n\n".join(["Harbour road closes", paragraph, quote]))
    assert result.removed == []
    assert result.kept_similar


@pytest.mark.parametrize(("changed", "goes"), [
    ("remain", True),          # a word for a word: the same statement
    ("not stay", False),       # a negation: another fact
    ("stay 24 hours", False),  # a number of its own
])
def test_a_near_duplicate_is_verified_word_by_word(changed: str, goes: bool) -> None:
    first = ("The central library will stay open until nine in the evening on weekdays from "
             "next month, the council said in a statement on Tuesday.")
    second = first.replace("stay", changed, 1)
    text = "\n\n".join(["Library hours", first, "Students had asked for years.", second])
    assert (kinds(text) == [("near_duplicate", 3, 1)]) is goes


def test_token_alignment_sees_a_one_word_edit() -> None:
    a = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    b = [*a[:4], "FOUR", *a[5:]]
    alignment = TokenAlignment.of(b, a)
    assert alignment.own == ["FOUR"]
    assert alignment.missing == ["five"]
    assert alignment.gapless is False


def test_a_specific_headline_goes_after_a_gallery_but_not_from_the_story() -> None:
    headline = "Lanterns light the old town for the winter fair"
    gallery = ["Photo: Ana Weiss, Reuters", "Image 1 of 3", "Photo: Ana Weiss, Reuters"]
    story = [f"Paragraph {n} of the story about the fair, long enough to be one." for n in
             range(8)]
    text = "\n\n".join([headline, *story[:4], *gallery, headline, *story[4:]])
    assert ("repeated_headline", 8, 0) in kinds(text)
    # The title of an embedded video, among the story's own paragraphs, stays.
    embedded = "\n\n".join([headline, *story, headline, "A video of the parade."])
    assert kinds(embedded) == []


def test_a_repeated_interview_question_stays_in_every_script() -> None:
    for question, answer in (("What is your favourite book?", "A novel about the sea."),
                             ("你最喜欢的书是什么？", "我最喜欢的书是一本关于海洋的小说。")):
        long_answer = " ".join([answer] * 6)
        text = "\n\n".join([question, long_answer, question, long_answer[::-1]])
        assert [r.kind for r in clean(text).removed] == [], question


def test_a_title_hint_gives_the_headline_without_the_site() -> None:
    for text in ("Storm hits coast\n\nThe storm came at dawn.", "The storm came at dawn."):
        assert clean(text, title="Storm hits coast | The Daily Planet").headline == (
            "Storm hits coast")


def test_a_title_hint_the_text_never_prints_leaves_its_lines_judged_as_without_one() -> None:
    # The page's headline, printed as each image's alt text with words around it (and an
    # apostrophe and an italic tag lost on the way): no line is the hint. The hint then
    # says nothing of the lines, which are judged as they are without it, and the copies
    # go either way. The headline reported is still the hint.
    alt = "Illustration for article titled The Long Story Of emHarbour/em, Ones Town"
    paragraphs = [f"Part {n}: the harbour was dug by hand in {1850 + n * 10}, and the town "
                  f"grew around it for {n + 2} decades before the railway came."
                  for n in range(1, 5)]
    text = "\n\n".join([alt, *(block for p in paragraphs
                                 for block in (p, "Advertisement", alt))])
    hint = "The Long Story Of Harbour, One's Town"
    without, with_hint = clean(text), clean(text, title=hint)
    assert [(r.rule, r.block, r.twin) for r in with_hint.removed] == [
        (r.rule, r.block, r.twin) for r in without.removed] == [
        ("headline_copy", k, 0) for k in (3, 6, 9, 12)]
    assert with_hint.headline == hint


def test_a_bold_run_equal_to_the_title_inside_a_sentence_stays() -> None:
    # A page converter prints a bold run on a line of its own: "Harbour tolls" opens a
    # sentence that goes on below it. With the title hint "Harbour tolls — what the new
    # fees mean", the dash makes "Harbour tolls" a key of the headline; the bold run is
    # still words of a sentence, not the headline again. A byline under a real copy of
    # the headline ("by Ana Ruiz") goes on no sentence: that copy goes.
    text = "\n".join([
        "Harbour tolls", "by Ana Ruiz", "The port raised its fees on Monday.",
        "Harbour tolls", "are what a ship pays to moor, by the metre and by the day.",
        "Fishing boats pay half."])
    result = clean(text, title="Harbour tolls — what the new fees mean")
    assert [(r.rule, r.block) for r in result.removed] == []
    assert result.text.count("Harbour tolls") == 2
    copy = text.replace("The port raised", "Harbour tolls\nThe port raised")
    assert [(r.rule, r.block) for r in clean(
        copy, title="Harbour tolls — what the new fees mean").removed] == [
        ("headline_copy", 2)]


def test_a_heading_with_its_anchor_stays_beside_its_contents_entry() -> None:
    # A page converter prints each section's anchor after its heading, in the contents
    # and in the body: with the anchor's words, the heading is as long as a paragraph.
    # The body's heading stays (a contents entry and its section's heading are structure);
    # a sentence from a highlights list printed again in the body is still a paste, and
    # so is a menu's link printed again under the story.
    anchor = "(#counting-the-boats-that-came-back-after-the-storm)"
    text = "\n".join([
        "Harbour report (https://example.org/harbour)",
        f"  \u2022 Counting the boats that came back after the storm    {anchor}",
        "Once the last boat was in, the harbour master counted forty-one of the forty-four "
        "that had gone out on Monday morning.",
        f"Counting the boats that came back after the storm {anchor}"])
    result = clean(text)
    assert result.removed == []
    assert [(k.rule, k.block, k.twin) for k in result.kept_similar] == [
        ("contents_entry", 3, 1)]
    highlight = "The harbour master counted forty-one of the forty-four boats by nightfall."
    pasted = "\n\n".join(["Harbour report", "Highlights", f"* {highlight}",
                           "The storm came in at noon and blew until the early evening, the "
                           "coastguard said.", highlight])
    assert [r.rule for r in clean(pasted).removed] == ["pasted_alone"]


def test_a_photo_label_printed_again_goes_and_a_source_line_stays() -> None:
    # Extractors print a photo's alt text and its credit on lines of their own, once per
    # photo and again in a gallery's copy: the label printed again goes. It was kept as a
    # record's field ("Lunch: lentil soup"), which the fields of a record still are; a
    # source under each chart is attribution, and stays.
    caption = ("Deckhands tie up the evening ferry at the north pier on Friday, hours "
               "before the crews voted to stop work.")
    text = "\n\n".join([
        "Ferry crews walk out", "Image: Deckhands at the north pier", caption,
        "Photo: Marta Lind, Harbour Post",
        "Crews on the island ferries stopped work on Saturday after talks broke down.",
        "Image: Deckhands at the north pier",
        "Passengers wait on the quay after the first crossing of the day was cancelled.",
        "Photo: Marta Lind, Harbour Post"])
    result = clean(text)
    assert [(r.rule, r.block, r.twin) for r in result.removed] == [
        ("image_label_again", 5, 1), ("image_label_again", 7, 3)]
    russian = "\n\n".join([
        "Паром снова ходит", "Фото: Анна Петрова", "Паром вышел из порта в шесть утра.",
        "Фото: Анна Петрова"])
    assert [r.rule for r in clean(russian).removed] == ["image_label_again"]
    fields = "\n\n".join([
        "Rents rise again", "Chart: rent by year", "Source: Regional Statistics Office",
        "Rents rose by 6.1 per cent last year, while wages rose by 3.4 per cent.",
        "Chart: wages by year", "Source: Regional Statistics Office",
        "Monday", "Lunch: lentil soup", "Tuesday", "Lunch: lentil soup"])
    assert clean(fields).removed == []


def test_a_figure_line_twice_as_its_own_group_goes_and_a_verse_line_stays() -> None:
    # A page converter prints a figure's alt text over its caption: the same line twice,
    # a group of its own. In common words it is still a copy; a line sung twice inside a
    # longer verse, and the call to read on, stay.
    prose = "Most drivers arrived in the half hour before the last boat left the pier."
    figure = "waiting time by hour of arrival"
    text = "\n\n".join(["Night ferry queues", prose, f"{figure}\n{figure}", "The end."])
    assert [(r.rule, r.block, r.twin) for r in clean(text).removed] == [("stutter", 3, 2)]
    song = "pull the rope and bring her in"
    verse = "\n".join([song, song, "the tide is turning, the light is thin", song])
    chrome = "Continue reading the main story"
    for kept in (verse, f"{chrome}\n{chrome}"):
        assert clean("\n\n".join(["Night ferry queues", prose, kept, "The end."])).removed == []


def test_markup_alone_goes_without_a_twin_and_says_why() -> None:
    text = ("Season announced\n\n&lt;span data-mce-type=&quot;bookmark&quot;&gt;&amp;#65279;"
            "&lt;/span&gt;\n\n<script>var slots = [];</script>\n\nA comedy called <Like This>.")
    result = clean(text)
    assert [(r.kind, r.twin, r.twin_text) for r in result.removed] == [
        ("markup_only", None, None), ("markup_only", None, None)]
    assert all(r.reason == PASS["markup_only"].explanation for r in result.removed)
    assert "<Like This>" in result.text
    assert clean('<script src="app.js"></script>').removed == []  # a tutorial's sample


def test_every_removal_says_why() -> None:
    text = (SEEDS / "000_20ca18fb463f4b56.txt").read_text(encoding="utf-8")
    assert all(r.reason == PASS[r.kind].explanation for r in clean(text).removed)


def test_list_item_continuation_lines_count_as_wrapped() -> None:
    item = ("* [Children carry paper lanterns through the market square in Ravensburg on\n"
            "Saturday, Dec. 4, 2021, on the opening night of the winter fair. Photo: Ana\n"
            "Weiss, Reuters.]")
    assert looks_like_wrapped_paragraph(item)


@pytest.mark.parametrize("text", [
    "\u00ad\u00ef\u00bc\u0152",           # a soft hyphen hid mojibake
    "\u059f\u200b\u059b",                 # a ZWSP between combining marks
    "Ã¢â‚¬Â¨ Ã¢â‚¬â€\ufffd",             # a repair revealed a line break, then more damage
    "<script>x=1;</script>\n\n<script>x=1;</script>",  # beside its copy, not beside code
    # beside markup that goes as a headline copy: judged among the blocks that stay
    "storm\n\nstorm storm storm storm\n\nstorm storm storm storm &lt;b&gt;&lt;/b&gt;"
    "\n\n<script>x=1;</script>",
])
def test_repairs_settle_in_one_cleaning(text: str) -> None:
    once = clean(text).text
    assert clean(once).text == once
    # Every line the splitter returns (pieces of one a repair broke included) is settled.
    for line in split_lines(text, CLEAN_DEFAULTS):
        assert repair_line(line.text, CLEAN_DEFAULTS)[0] == line.text


@pytest.mark.parametrize("text", [
    "I'm not such a fan of Charlotte Brontë…”",   # ftfy's: not a Korean syllable
    "voce nao vai pegar o trem pra lá´´",          # ftfy's: accents used as quotes
    "Close ×© 2021 Harbour News",                  # a close button beside a copyright sign
])
def test_an_uncertain_repair_is_not_made(text: str) -> None:
    assert clean(text).text == text + "\n"


@pytest.mark.parametrize("charset", ["rot13", "base64", "zlib", "hex", "uu", "quopri", "bz2",
                                     "undefined", "punycode", "idna", "unicode_escape",
                                     "raw_unicode_escape", "no-such-charset"])
def test_a_charset_that_is_no_text_encoding_is_a_documented_error(charset: str) -> None:
    with pytest.raises(CharsetError, match="charset"):
        clean(b"hi", charset=charset)
    assert issubclass(CharsetError, CleaningError)


def test_a_declared_decode_that_spells_lone_surrogates_is_not_taken() -> None:
    result = clean(b"a +2D8A- b", charset="utf-7")
    assert result.encoding == "utf-8"
    assert result.text == "a +2D8A- b\n"


def test_rounds_settle_before_their_cap_on_many_pastes() -> None:
    """The fuzzer's case: an article of five short blocks pasted again and again, each
    paste opening with the headline, takes five decision rounds to settle (MAX_ROUNDS
    was 4, and a second cleaning then removed one block more)."""
    unit = "storm storm\nstorm storm storm \u2028 11:34 \u2028 11:34 \u2028 storm"
    for pastes in (3, 5, 12):
        once = clean("\n\n".join([unit] * pastes)).text
        assert clean(once).text == once


WIDE = ("The harbour authority said on Monday that the new ferry terminal would open in "
        "the spring, two years later than planned and well over its first budget.")
SENTENCE = "The mayor called the delay regrettable but unavoidable."


def test_paragraphs_printed_without_blank_lines_are_blocks_of_one_group() -> None:
    text = f"Terminal delayed\n\n{WIDE}\n{SENTENCE}\n\nThe works resume in May.\n"
    result = clean(text)
    assert result.text == text  # clean input: byte for byte
    assert result.stats.blocks_in == 4
    assert result.diff == ""


def test_a_copy_inside_a_group_of_paragraphs_goes_alone() -> None:
    # The article printed twice, the second time with other paragraph breaks: the copy of
    # a paragraph stands among others of its group, which stay.
    other = ("Ferry users will keep the old pier until then, with a shuttle bus from the "
             "station every twenty minutes and a new shelter on the quay.")
    text = (f"Terminal delayed\n\n{SENTENCE}\n\n{WIDE}\n\n"
            f"{other}\n{SENTENCE}\n{WIDE}\n\nThe works resume in May.\n")
    result = clean(text)
    assert result.text == (f"Terminal delayed\n\n{SENTENCE}\n\n{WIDE}\n\n{other}\n\n"
                           "The works resume in May.\n")
    assert [(r.kind, r.twin) for r in result.removed] == [("duplicate", 1), ("duplicate", 2)]
    assert clean(result.text).text == result.text


@pytest.mark.parametrize("lines", [
    # A list keeps its items together, however long (product bullets repeat on purpose).
    [f"- {WIDE}", f"- {SENTENCE}"],
    # A hard-wrapped paragraph is one paragraph: no line is wider than the wrap.
    ["The harbour authority said on Monday that the new ferry terminal would",
     "open in the spring, two years later than planned and over its budget."],
    # A label beside a wide line is no paragraph of its own.
    [WIDE, "Photo: Harbour Authority"],
])
def test_lines_that_are_no_separate_paragraphs_stay_one_block(lines: list[str]) -> None:
    assert not separate_paragraphs(lines)


def test_a_teaser_above_the_headline_is_not_taken_for_it() -> None:
    body = ("Good morning! Here is the harbour news you need to know this Tuesday, from the "
            "new ferry timetable to the fish market's longer hours.")
    text = "\n\n".join(["Good morning! Here is the harbour news you need to...",
                        "Five things in the harbour today", "Mara Quist",
                        "Harbour newsletter, Tuesday edition",
                        "Five things in the harbour today", body, "The market opens at six."])
    result = clean(text)
    assert result.headline == "Five things in the harbour today"
    assert kinds(text) == [("repeated_headline", 4, 1)]


def test_a_headline_that_ends_in_an_ellipsis_is_still_the_headline() -> None:
    text = "\n\n".join(["Screens of the week: «Tide», «North», «Six Bells»…",
                        "# Screens of the week: «Tide», «North», «Six Bells»…",
                        "Three series came back this week, and one of them is worth the wait."])
    result = clean(text)
    assert result.headline == "Screens of the week: «Tide», «North», «Six Bells»…"
    assert kinds(text) == [("repeated_headline", 1, 0)]


EMBED = ("[Our harvest jam, three ways, for the holidays: recipe on the blog today #ad "
         "#HarvestJam #canning #homemade #holidays]")
STEPS = ["Peel and core the pears, then cut them into small even cubes for the pot.",
         "Simmer the fruit with the honey and spices for forty minutes, stirring often.",
         "Fill the warm jars, close them and boil them for ten minutes in a water bath."]


def test_an_embedded_post_printed_once_per_placeholder_goes() -> None:
    text = "\n\n".join(["Pear jam for the holidays", STEPS[0], EMBED, STEPS[1], EMBED,
                        STEPS[2], EMBED])
    assert kinds(text) == [("duplicate", 4, 2), ("duplicate", 6, 2)]


def test_a_paragraph_met_three_times_without_hashtags_stays() -> None:
    # A chorus between verses repeats on purpose.
    chorus = ("And the river runs, and the river runs, down to the harbour wall and out "
              "to the open sea.")
    text = "\n\n".join(["The river song", chorus, STEPS[0], chorus, STEPS[1], chorus])
    result = clean(text)
    assert result.removed == []
    assert {k.reason for k in result.kept_similar} == {
        "a block met three times or more: kept as a template"}


CUT = ["[1]: https://harbour.example.org/news/ferry-pier-closed-for-repairs-after-divers",
       "-find-rotted-piles"]
#: A headline over the definitions, so that they read as one block of blank-line text.
HEAD = "Ferry pier closed\n"


def test_a_link_definition_cut_by_the_wrap_is_one_line_again_and_says_so() -> None:
    text = "\n".join([HEAD, *CUT, CUT[0].replace("[1]", "[2]"), CUT[1]]) + "\n"
    result = clean(text)
    url = CUT[0] + CUT[1]
    assert result.text == f"{HEAD}\n{url}\n{url.replace('[1]', '[2]')}\n"
    at = len(HEAD) + 1
    assert [(f.step, f.start, f.end, f.before) for f in result.fixes] == [
        ("join_cut_urls", at, at + 99, "\n".join(CUT)),
        ("join_cut_urls", at + 100, at + 199, "\n".join(CUT).replace("[1]", "[2]"))]
    assert apply_patch(text, result.diff) == result.text
    # Switched off, the lines stay as the wrap left them.
    assert clean(text, CleanConfig(join_cut_urls=False)).text == text


@pytest.mark.parametrize("under", [
    '"Ferry notice"',  # a definition's title
    "Thanks to the crews.",  # a line of text
    "",  # nothing: the definition ends there
])
def test_a_link_definition_with_no_rest_of_its_url_under_it_stays(under: str) -> None:
    text = f"{HEAD}\n{CUT[0]}\n{under}\n{CUT[0].replace('[1]', '[2]')}\n"
    assert clean(text).text == text


def test_a_definition_with_a_line_under_it_is_no_cut_unless_another_as_wide_is() -> None:
    # A wrap cuts at one width: a definition alone with a word under it was not cut.
    text = f"{HEAD}\n{CUT[0]}x\n{CUT[0]}y\n{CUT[0][:70]}\nrest\n"
    assert clean(text).text == text


def test_a_cut_definition_that_text_follows_is_not_joined() -> None:
    # The rest of a URL ends its definition: a line of text right under it says the two
    # lines above were no definition cut in two.
    cut_twice = "\n".join([*CUT, CUT[0].replace("[1]", "[2]"), CUT[1]])
    text = f"{HEAD}\n{cut_twice}\nstorm\n"
    assert clean(text).text == text
    # Once the definitions end, both are joined, and the result stays as it is.
    result = clean(f"{HEAD}\n{cut_twice}\n\nstorm\n")
    assert [f.step for f in result.fixes] == ["join_cut_urls", "join_cut_urls"]
    assert clean(result.text).text == result.text


def test_a_list_under_a_paragraph_is_a_block_of_its_group() -> None:
    # A caption printed as a list item right under the paragraph before it is compared as
    # itself; rendered, the two stand one line break apart, as they came.
    text = ("Bakers win again\n\nThe judges tasted forty loaves and gave the prize to the "
            "Linden Street bakery.\n* [Anna Berg lifts a rye loaf out of the oven before the "
            "judging. Photo: Tom Reyes / The Gazette]\n\nAnna Berg lifts a rye loaf out of "
            "the oven before the judging. less\n")
    result = clean(text)
    assert result.stats.blocks_in == 4
    assert kinds(text) == [("contained", 3, 2)]
    assert result.text == text.rsplit("\n\n", 1)[0] + "\n"


def test_a_headline_copy_further_down_repeats_what_the_headline_went_as() -> None:
    # Found by the fuzzer: the headline is the caption's last line printed again, and goes
    # as a part of the caption; its copy further down, beside a paragraph pasted again,
    # then repeats the caption (it named the removed headline, and the runs could not be
    # built: KeyError).
    line = "Harbour fire destroys three boats on Sunday"
    story = ["The fire started in a shed on the east quay shortly after midnight, the "
             "harbour master said.",
             "Crews from two stations fought it for three hours before it was out.",
             "Nobody was hurt, but three fishing boats moored beside the shed burned.",
             "The owners said they would rebuild before the summer season."]
    text = "\n\n".join([f"Photo: Ana Weiss\n{line}", line, *story, line, story[3]])
    result = clean(text)
    assert result.headline == line
    assert kinds(text) == [("contained", 1, 0), ("repeated_headline", 6, 0),
                           ("duplicate", 7, 5)]
    assert clean(result.text).text == result.text


LEDE = ("The mayor opened the new harbour bridge on Saturday morning in front of a crowd of "
        "about two thousand residents.")


@pytest.mark.parametrize("teaser", [
    LEDE[:-5] + "...",  # cut in a word, with an ellipsis
    LEDE[:-5],  # cut in a word, as a page's description is cut at a fixed length
    LEDE[:LEDE.rindex(" ")] + "...",  # cut between words
])
def test_a_teaser_cut_short_above_the_lede_goes_and_the_lede_stays(teaser: str) -> None:
    # Found on trafilatura's markdown with metadata: the front matter's description, cut
    # short, took the complete lede under it as its near duplicate.
    after = "Work on the crossing began four years ago and ran over budget."
    result = clean("\n\n".join(["Harbour bridge opens", teaser, LEDE, after]))
    assert [r.text for r in result.removed] == [teaser]
    assert result.removed[0].twin_text == LEDE
    assert result.text == f"Harbour bridge opens\n\n{LEDE}\n\n{after}\n"


def test_a_description_cut_short_in_the_front_matter_leaves_the_lede_whole() -> None:
    text = ("---\ntitle: Mayor opens new harbour bridge\n"
            f"description: {LEDE[:-5]}\n---\n{LEDE}\n\n"
            "Work on the crossing began four years ago and ran over budget.\n")
    result = clean(text)
    assert LEDE in result.text
    assert all(r.text != LEDE for r in result.removed)


BRIEF = ["Morning brief for our readers by the harbour.",
         "The council approved the new bridge budget on Monday after a long debate."]
PROMOS = ["Hear this briefing on your smart speaker every single morning.",
          "You can also sign up for the newsletter by ticking the box below..."]
MORE_ITEMS = ["The library will extend its opening hours next month for students.",
              "Ferries will run every half hour from the new quay from Friday."]


@pytest.mark.parametrize("promos_apart", [False, True])
def test_a_teaser_of_a_list_goes_and_the_list_stays_in_one_piece(promos_apart: bool) -> None:
    # Found on boilerpy3's and jusText's output of a newsletter page: the teaser printed
    # the list's first item, and the list lost that item as its copy, cut in two.
    teaser = "\n\n".join([*BRIEF, *PROMOS])
    items = "\n".join([*BRIEF, *MORE_ITEMS])
    full = items + ("\n\n" if promos_apart else "\n") + "\n".join(PROMOS)
    result = clean("\n\n".join(["Ten things to know", teaser, full]))
    assert [r.rule for r in result.removed] == ["abridged_copy"] * 4
    assert items in result.text
    assert result.text == f"Ten things to know\n\n{full}\n"
    assert clean(result.text).text == result.text


def test_bullets_that_two_cards_share_stay_with_each_card() -> None:
    # The later card holds the earlier's bullets and one more: no teaser of it, and two
    # bullets met together are no isolated paste either.
    card = ["Sweat resistant for long runs in the rain.", "Twenty hours of battery in the case."]
    text = "\n\n".join(["Two earbuds for the gym", "Trail buds", *card,
                        "Charges with a cable.", "City buds", *card,
                        "Folds into a small pouch.", "Charges with a cable."])
    result = clean(text)
    assert result.removed == []
    # The two shared bullets repeat together, each pair under its card's name: parallel
    # sections (the second a template of the run); the closing bullet alone.
    assert [k.rule for k in result.kept_similar] == [
        "parallel_sections", "template", "short_structure"]


def test_a_line_that_closes_two_sections_of_one_structure_stays() -> None:
    # Found by a campaign of pages with repeats on purpose: an FAQ's closing line under each
    # answer, a step's closing line under each step, went as isolated pastes.
    closing = "If you still need help, call the support line on 0800 555 0199 any weekday."
    faq = "\n\n".join(["Card questions", "When will my card arrive?",
                       "Cards are posted within two working days of the order.", closing,
                       "How do I set my PIN?",
                       "Your PIN arrives in a separate letter a few days later.", closing])
    steps = "\n\n".join(["Roles in the workspace", "Owners",
                         "Open Settings, then Roles, and pick the owner's name from the list.",
                         "Click Save. The change applies to every member within a minute.",
                         "Editors",
                         "Open Settings, then Roles, and tick the box beside each editor.",
                         "Click Save. The change applies to every member within a minute."])
    for text in (faq, steps):
        result = clean(text)
        assert result.removed == [], text
        assert [k.rule for k in result.kept_similar] == ["parallel_sections"]


def test_a_paragraph_pasted_again_among_prose_still_goes() -> None:
    pasted = ("The council will publish the full budget on its website next week, with a "
              "summary of every change since the spring.")
    text = "\n\n".join([
        "Budget approved", "Councillors approved the budget on Monday after a long debate.",
        pasted, "The vote was close: twelve for, ten against, one abstention.",
        "Opponents said the rise in parking charges would hurt the high street.", pasted])
    assert [r.rule for r in clean(text).removed] == ["pasted_alone"]


def test_the_same_item_twice_in_a_list_stays() -> None:
    # A meal plan whose day headings an extractor dropped: a list marker is no name.
    text = ("What our dietitian eats in a week\n\nShe keeps breakfast the same on most days "
            "so that she does not have to think about it.\n\n- Porridge with grated apple\n"
            "- Porridge with grated apple\n- Scrambled eggs on toast\n")
    assert clean(text).removed == []


def test_a_name_or_a_wrapped_word_above_and_below_the_body_is_no_chrome() -> None:
    # An RFC names its author in its head and its address at its foot; a hard wrap leaves
    # a sentence's last word on a line of its own, above and below. Both stay.
    body = [f"The client sends request number {n} and waits for the server to answer it "
            "with a status line and a body." for n in range(1, 4)]
    text = "\n".join(["Internet Draft", "F. Kooman", "the response", "body", *body,
                      "omitting the response", "body", "Authors' addresses", "F. Kooman",
                      "Email: author@example.org"])
    result = clean(text)
    assert [r.text for r in result.removed if r.rule == "chrome_around_body"] == []


def test_the_body_of_two_sections_under_their_own_labels_stays() -> None:
    # Content that repeats on purpose: a recipe listed under each day, a survey's options
    # under each question. Each run of two blocks or more went as a pasted run when there
    # were only two sections (a third made the second a template).
    soup = ["Chop two onions and fry them in olive oil until soft.",
            "Add the lentils and a litre of stock, and simmer for forty minutes."]
    options = ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied"]
    plan = ["Our week of soups", "Monday", *soup, "Tuesday", *soup]
    survey = ["Reader survey", "How satisfied are you with the new ferry timetable?", *options,
              "How satisfied are you with the ticket prices this year?", *options]
    for blocks in (plan, survey):
        for separator in ("\n\n", "\n"):
            text = separator.join(blocks)
            result = clean(text)
            assert result.removed == [], text
            assert result.text.count(blocks[-1]) == blocks.count(blocks[-1])


def test_a_run_pasted_after_a_block_of_lines_still_goes() -> None:
    # The labels that open sections are one line each: a run printed again after a table
    # (a price list), under a title of two lines, is a paste (the evaluator's block_dup
    # case on a theatre listing).
    run = ["The theatre reopens in April after two years of repairs to its roof and stage.",
           "Tickets for the first month sold out within a day, the box office said."]
    text = "\n\n".join(["Harbour Theatre\n<The Lighthouse Keeper>", *run,
                        "VIP : 60,000\nR : 50,000\nS : 40,000", *run,
                        "The season closes in December."])
    assert [r.rule for r in clean(text).removed] == ["pasted_run", "pasted_run"]


def test_a_paragraph_that_ends_in_a_note_is_prose_not_a_label() -> None:
    # A paragraph pasted again right after a long paragraph that ends in a source note
    # ("[M1]") is no section under a label: it goes.
    note = ("The bulk of the colony retired from trade, leaving only a few scattered ports "
            "along the coast, and the old families went back to farming and fishing, as "
            "their grandparents had done before the railway came. [M1 / MP]")
    pasted = ["The harbour had seen two hard winters in a row, and many boats never "
              "returned to sea after the second one.",
              "Worse still, the fish moved north, and the market prices fell by half within "
              "a single year of the storms."]
    text = "\n\n".join(["The quiet years", "The holy town", *pasted, note, *pasted,
                        "Trade returned only with the new century."])
    assert [r.rule for r in clean(text).removed] == ["pasted_run", "pasted_run"]


def test_a_line_said_under_two_speakers_stays() -> None:
    # A transcript: a line that ends in a colon heads what follows ("MAYOR:"), as a
    # question or a heading does; what two speakers both say stays under each.
    said = "Thank you all for coming tonight, we have a long agenda."
    for separator in ("\n\n", "\n"):
        text = separator.join(["Council meeting, 4 March", "MAYOR:", said, "CHAIR:", said,
                               "The first item was the ferry budget."])
        result = clean(text)
        assert result.removed == [], separator
        assert [k.rule for k in result.kept_similar] == ["parallel_sections"]
    said = "谢谢大家今晚来参加会议，我们的议程很长。"  # a full-width colon heads a section too
    text = "\n\n".join(["市议会会议", "市长：", said, "主席：", said, "第一项议题是渡轮预算。"])
    assert clean(text).removed == []


def test_a_chorus_sung_again_stays_and_a_wrapped_paragraph_pasted_again_goes() -> None:
    chorus = ("Row, row, the tide is turning,\nrow, row, the lamps are burning,\n"
              "bring the boats home, bring them in,\nbefore the winter storms begin.")
    text = "\n\n".join(["The harbour song",
                        "Down by the water the boats come home,\nthe nets are drying on the "
                        "stones,\nthe gulls are crying on the roofs,\nthe children on the quay.",
                        chorus, "Out past the lighthouse the gulls still roam,\nthe old men "
                        "talk of other years,\nthe wind is cold, the night is long,\nthe fire "
                        "is warm inside the inn.", chorus])
    result = clean(text)
    assert result.removed == []
    assert [k.rule for k in result.kept_similar] == ["stanza"]
    wrapped = ("The harbour board voted on Thursday to rebuild the east\nquay before the "
               "summer season, after storms in January\nleft two of its four berths unusable "
               "for the larger\nferries that serve the islands.")
    text = "\n\n".join(["Quay approved", wrapped, "Repairs will cost 2.4 million euros.",
                        wrapped, "Work starts in March."])
    assert [r.rule for r in clean(text).removed] == ["pasted_alone"]


def test_a_line_under_two_names_of_sections_stays_but_not_under_two_captions() -> None:
    # A recipe listed under each day, the same practical line under two events: each copy
    # stands under a short name of its section. A paragraph pasted under a photo's caption
    # or credit (brackets, a slash, a credit word) still goes.
    line = "Doors open at 7 pm. Tickets cost 12 euros at the door."
    for first, second in (("Monday", "Tuesday"), ("Harbour choir concert", "Lighthouse tour")):
        text = "\n\n".join(["What's on", first, line, second, line, "Book early."])
        result = clean(text)
        assert result.removed == [], (first, second)
        assert [k.rule for k in result.kept_similar] == ["parallel_sections"]
    text = "\n\n".join(["What's on", "Finished lanterns", line,
                        "Paper lanterns (Ana Weiss)", line, "Book early."])
    assert [r.rule for r in clean(text).removed] == ["pasted_alone"]


def test_a_headline_that_is_the_question_asked_of_each_guest_stays_each_time() -> None:
    # The question opens the article and is asked again of each guest: asked again past an
    # answer, it is the interview's question, not the headline printed twice.
    question = "What would you tell your younger self?"
    text = "\n\n".join([
        question, "We asked three founders in Leeds the same question.", "Anna Berg, baker",
        question, "Start smaller than you think, open earlier in the morning, and never "
                  "skip a holiday.", "Tom Lee, florist", question,
        "Hire a bookkeeper in the first week, and learn to say no to the big weddings."])
    result = clean(text)
    assert result.removed == []
    assert result.headline == question


@pytest.mark.parametrize("alt", ["[{h}]", "{h} image", "{h} 2", "[![{h} - Photo]()"])
def test_the_headline_printed_again_as_each_images_alt_text_goes(alt: str) -> None:
    # Issue 21: the headline printed again as image alt text, once per image: in brackets,
    # with a trailing "image" or a number, wherever it stands among the paragraphs.
    headline = "Harbour fire destroys three boats on the east quay"
    story = ["The fire started in a shed on the east quay shortly after midnight, the "
             "harbour master said.",
             "Crews from two stations fought it for three hours before it was out, and "
             "nobody was hurt.",
             "The owners said they would rebuild before the summer season, with help from "
             "the town."]
    copy = alt.format(h=headline)
    text = "\n\n".join([headline, story[0], copy, story[1], copy, story[2]])
    result = clean(text)
    assert [(r.rule, r.block) for r in result.removed] == [("headline_copy", 2),
                                                           ("headline_copy", 4)]
    assert result.text.count("Harbour fire destroys") == 1


def test_a_line_that_opens_with_the_headline_and_says_more_stays() -> None:
    # Only what alt text adds (a word such as "image", a number) makes a copy: a section
    # heading that goes on past the headline's words is the body's.
    headline = "Harbour fire destroys three boats on the east quay"
    text = "\n\n".join([
        headline, "The fire started in a shed on the east quay shortly after midnight.",
        "Crews fought it for three hours before it was out, and nobody was hurt there.",
        f"{headline} again in 2019", "The same quay burned once before, in the spring."])
    assert clean(text).removed == []


STORY = ["The fire started in a shed on the east quay shortly after midnight, the harbour "
         "master said.",
         "Crews from two stations fought it for three hours before it was out, and nobody "
         "was hurt."]


@pytest.mark.parametrize("with_more", [
    "{c} (Ana Weiss/AP)", "{c} (Reuters)", "1 of 3 {c}", "1/3 {c}", "Image 2 of 12 {c}"])
def test_a_caption_with_its_credit_in_brackets_or_a_slide_counter_is_one_caption(
        with_more: str) -> None:
    # Issue 21: a caption twice per slide, once with its credit in brackets or a slide
    # counter in front: the bare caption goes as a part of the fuller one.
    caption = "Firefighters work at the east quay shortly after midnight on Sunday, as boats burn."
    text = "\n\n".join(["Harbour fire destroys three boats", STORY[0],
                        with_more.format(c=caption), caption, STORY[1]])
    result = clean(text)
    # (One word of credit more is a near duplicate already.)
    assert [r.text for r in result.removed] == [caption]
    assert result.removed[0].rule in ("part_of_block", "near_duplicate")


def test_a_line_before_a_link_or_a_list_number_is_no_caption_without_its_credit() -> None:
    # A link's target in brackets is no credit, and a list's "1." no slide counter: the
    # shorter line there says what it says.
    caption = "Firefighters work at the east quay shortly after midnight on Sunday, as boats burn."
    for fuller in (f"{caption} (https://example.org/fire/quay)", f"1. {caption}"):
        text = "\n\n".join(["Harbour fire destroys three boats", STORY[0], fuller, caption,
                            STORY[1]])
        assert clean(text).removed == [], fuller


def test_a_paragraph_pasted_after_a_short_sentence_still_goes() -> None:
    # Found by CI: a short sentence ("Work starts in May.") and the headline name no
    # sections, so the paragraph under each is a paste, not the body of two sections.
    paragraph = ("The council voted on Tuesday to close the old bridge to traffic for repairs "
                 "that engineers say are long overdue.")
    text = f"Bridge closes\n\n{paragraph}\n\nWork starts in May.\n\n{paragraph}\n"
    assert [r.rule for r in clean(text).removed] == ["pasted_alone"]
