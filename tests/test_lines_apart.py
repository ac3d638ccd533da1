"""Lines compared one by one inside a group (`cleaning.blocks.lines_of_their_own`): what
extractors that keep a page's line breaks print, each shape drawn from real output (issue
21), in our own words: what goes, and what stays.
"""

from __future__ import annotations

from cleaning import clean
from cleaning.blocks import lines_of_their_own
from tests.patchutil import apply_patch

WIDE = ("The council voted on Tuesday night to keep the old ferry landing open through the "
        "winter, after a petition signed by four thousand residents.")


def removed(text: str) -> list[tuple[str, str]]:
    return [(r.kind, r.text) for r in clean(text).removed]


def test_a_caption_printed_twice_inside_a_group_goes() -> None:
    caption = "A ferry leaves the harbour at dawn on Monday. (AP)"
    text = "\n\n".join(["Ferry landing stays open", f"{caption}\n{caption}", WIDE,
                        "The vote was close."])
    assert removed(text) == [("duplicate", caption)]
    assert clean(text).text.count(caption) == 1


def test_a_line_said_twice_takes_its_group_apart_in_any_script() -> None:
    caption = "市议会周二晚上投票决定冬季继续开放旧渡轮码头。"
    assert lines_of_their_own([caption, caption])
    assert lines_of_their_own(["Photo:Ana Weiss,AP", "Photo: Ana Weiss, AP"])


def test_a_hard_wrapped_paragraph_is_not_taken_apart() -> None:
    assert not lines_of_their_own(["The council voted on Tuesday night to keep the old",
                                   "ferry landing open through the winter, after a"])
    assert not lines_of_their_own(["if x == 1: return y;", "if x == 1: return y;"])


def test_a_credit_and_caption_under_a_wide_line_go_when_printed_again() -> None:
    caption = "Crews repair the ferry landing on Monday, a day after the storm tore it loose."
    group = "\n".join([f"* {caption} Photo: Ana Weiss, AP / Copyright 2021 All rights reserved",
                       caption, caption, "Photo: Ana Weiss, AP", "Photo: Ana Weiss, AP"])
    text = "\n\n".join(["Ferry landing stays open", WIDE, group, "The vote was close."])
    result = clean(text)
    # The caption is inside the first line (with its credit); the credit is printed twice.
    assert [r.text for r in result.removed] == [caption, caption, "Photo: Ana Weiss, AP"]
    assert result.text.count("Crews repair") == 1
    assert clean(result.text).text == result.text


def test_bullets_that_two_product_cards_share_stay() -> None:
    shared = ["Noise cancelling with three levels", "Twenty hours of battery in the case",
              "Quick pairing with any phone", "Water resistant for running in rain"]
    card_a = "\n".join([WIDE, *shared, "Charges with a cable"])
    card_b = "\n".join([WIDE.replace("four", "five"), *shared, "Charges on a wireless mat"])
    text = "\n\n".join(["Best earbuds of the year", card_a, "$139", card_b, "$164"])
    result = clean(text)
    assert result.removed == []
    assert result.text == text + "\n"


def test_sentences_printed_again_in_two_groups_go() -> None:
    # An article printed twice (a page's embedded copy), its paragraphs in two groups with
    # other lines around them: paragraphs are no list items.
    paragraphs = [WIDE, "The vote was close, with five councillors against the plan.",
                  "Work on the new landing will start in the spring."]
    text = "\n\n".join(["Ferry landing stays open", "\n".join(["Photo: Reuters", *paragraphs]),
                        "Related coverage", "\n".join([*paragraphs, "Share this story"])])
    result = clean(text)
    assert [r.text for r in result.removed] == paragraphs
    assert clean(result.text).text == result.text


def test_a_section_heading_listed_in_a_table_of_contents_stays() -> None:
    toc = "\n".join(["* [Getting a sense of the data](#data)", "* [Backtesting the alerts](#alerts)",
                     "* [Choosing the thresholds](#thresholds)"])
    text = "\n\n".join(["Anomaly detection with SQL", toc, "## [Getting a sense of the data](#data)",
                        WIDE, "## [Backtesting the alerts](#alerts)", "The vote was close."])
    assert removed(text) == []


def test_the_copy_without_leaked_markup_stays() -> None:
    alt = 'Backtesting with default parameters. <a href="https://example.com/q/1">View in editor</a>'
    plain = "Backtesting with default parameters. View in editor"
    text = "\n\n".join(["Anomaly detection with SQL", WIDE, f"{alt}\n{plain}", "The vote was close."])
    result = clean(text)
    assert [r.text for r in result.removed] == [alt]
    assert plain in result.text


def test_a_group_that_would_read_as_one_block_keeps_its_lines() -> None:
    # Found by the fuzzer: the line printed again left two lines that, as one block, repeat
    # the block before them; cleaning the output again removed them. The line stays.
    text = "storm\nstorm\n\nstorm storm storm\n\nstorm\nstorm storm\nstorm storm storm"
    result = clean(text)
    assert clean(result.text).text == result.text


def test_a_caption_printed_twice_goes_when_the_lines_left_read_the_same_again() -> None:
    # The lines left of the group read as one block, and cleaning the output again changes
    # nothing: no line needs holding back (it used to stay, `group_kept_whole`).
    caption = "Crews at the landing on Tuesday morning (Photo: Ana Ruiz)"
    text = "\n\n".join([
        "Ferry returns to the harbour",
        "The ferry came back to the harbour on Tuesday after a winter away, the council said.",
        f"{caption}\n{caption}\nCrews worked through the night to ready the landing.",
        "Tickets go on sale next week at the old booth by the quay."])
    result = clean(text)
    assert [(r.rule, r.text) for r in result.removed] == [("stutter", caption)]
    assert result.kept_similar == []
    assert clean(result.text).text == result.text


def test_a_near_duplicate_that_changes_a_number_written_out_stays() -> None:
    text = "\n\n".join(["Ferry landing stays open", WIDE, "The vote was close.",
                         WIDE.replace("four thousand", "five thousand")])
    result = clean(text)
    assert result.removed == []
    assert [k.rule for k in result.kept_similar] == ["different_numbers"]


def test_a_photo_credit_is_not_the_headline() -> None:
    line = "Harbour fire destroys three boats on Sunday"
    text = "\n\n".join(["Photo: Ana Weiss", line, "By Jo Brandt", line, WIDE])
    result = clean(text)
    assert result.headline == line
    assert [(r.kind, r.block) for r in result.removed] == [("repeated_headline", 3)]


def test_an_opening_line_met_again_inside_the_body_is_the_bodys_own() -> None:
    # goose3 and newspaper4k open with a section heading or a newsletter prompt that the
    # body prints again further down: with no title given, that copy is not a headline's.
    prompt = "Sign up for our newsletter"
    body = [WIDE, "The vote was close, with five councillors against the plan after a "
            "long debate.", prompt, "Work on the new landing will start in the spring, "
            "the council said in a statement."]
    text = "\n\n".join([prompt, *body])
    result = clean(text)
    assert result.removed == []
    assert result.text.count(prompt) == 2


def test_a_headline_printed_again_under_a_lede_goes() -> None:
    line = "Ferry landing stays open through the winter"
    text = "\n\n".join([line, WIDE, line, "The vote was close."])
    assert removed(text) == [("repeated_headline", line)]


def test_a_share_bar_printed_again_goes_but_a_word_alone_stays() -> None:
    bar = "Facebook Twitter WhatsApp Email"
    text = "\n\n".join(["Ferry landing stays open", bar, WIDE, "Email", "The vote was close.",
                        "Email", bar])
    result = clean(text)
    assert [(r.rule, r.block) for r in result.removed] == [("share_bar_again", 6)]
    assert result.text.count("\n\nEmail\n") == 2  # the word alone, twice


def test_chrome_above_and_below_the_article_goes_but_a_line_inside_it_stays() -> None:
    promo = "More about badges | Request a badge"
    attribution = "— Reuters"
    body = [WIDE, attribution, "The vote was close, with five councillors against the plan "
            "after a long debate.", attribution, "Work on the new landing will start in the "
            "spring, the council said in a statement on Friday."]
    text = "\n\n".join(["Ferry landing stays open", promo, *body, promo])
    result = clean(text)
    assert [(r.rule, r.block) for r in result.removed] == [("chrome_around_body", 7)]
    assert result.text.count(attribution) == 2


def test_a_line_kept_to_hold_its_group_apart_is_kept_before_anything_is_decided() -> None:
    # Found by the article-shaped fuzzer: the caption with its credit (a wide line) went as
    # a copy of its print further down, the group then kept it back, but its caption under
    # it had been judged while it was gone; cleaning the output again took more out.
    caption = "Dancers open the harvest festival in Lindau on Friday."
    credit = "Photo: Jo Brandt / Copyright 2021. All rights reserved."
    story = ("The festival runs for nine days, with a market, a parade and concerts on the "
             "square every evening until late.")
    later = ("Last year more than forty thousand visitors came, twice as many as the town "
             "expected when it first planned the fair.")
    group = "\n".join([f"* [{caption} {credit}]", f"  {caption}", f"  {caption}", f"  {credit}"])
    text = "\n\n".join(["Festival opens", group, story, f"{caption} {credit}", story, later,
                        story])
    result = clean(text)
    assert clean(result.text).text == result.text


def test_a_group_read_as_one_block_again_is_judged_as_one_and_its_output_settles() -> None:
    # Found by the article-shaped fuzzer (1 input in about 20,000): the caption printed
    # twice inside a list item went, the lines left read as one block, and cleaning the
    # output again judged the paragraph above it otherwise; holding the caption back did
    # not settle either. The output is now cleaned again and what that removes is
    # removed from the article too.
    head = "Ferry landing stays open through the winter"
    lede = ("Ferries used to run on time. We bought a ticket, sat down by the window, "
            "crossed, and came back.")
    later = ("Now the crossings are late more often than not, and the harbour office says "
             "the new timetable will fix it by the spring, when two more boats arrive.")
    caption = "Dancers open the harvest festival in Lindau on Friday."
    credit = "Photo: Ana Weiss, AP"
    item = f"* [{caption} {credit}]\n  {caption}\n  {caption}\n  {credit}"
    text = "\n\n".join([head, lede, head, lede, lede, lede, later,
                        "The council voted on Tuesday night to keep the old ferry landing "
                        "open through the winter, after a petition signed by 4,000 residents.",
                        credit, head, lede, item])
    result = clean(text)
    assert clean(result.text).text == result.text
    assert result.text.count(caption) == 2
    assert result.text.count(lede) == 1
    assert apply_patch(text, result.diff) == result.text


# A page converter prints a page's menu in its header and again in its footer (or once for
# wide screens and once for narrow ones): each entry a link of its own (issue 21).
HEADER_MENU = "\n".join(["* [Harbour Herald](/)", "  * Sections", "  * [Local](/local/)",
                         "  * [Ferries](/local/ferries/)", "  * [Opinion](/opinion/)",
                         "  * [Weather](/weather/)"])
FOOTER_MENU = "\n".join(["* Sections", "* [Local](/local/)", "* [Ferries](/local/ferries/)",
                         "* [Opinion](/opinion/)", "* [Archive](/archive/)",
                         "* [Weather](/weather/)"])


def test_a_menu_printed_again_loses_the_entries_it_repeats() -> None:
    text = "\n\n".join([HEADER_MENU, "# Ferry landing stays open", WIDE,
                        "The vote was close, and the harbour board meets again in March.",
                        FOOTER_MENU, "© 2024 Harbour Herald"])
    result = clean(text)
    # (Its heading, no link, is chrome above the story and below it.)
    assert [(r.rule, r.text) for r in result.removed] == [
        ("chrome_around_body", "* Sections"), ("menu_again", "* [Local](/local/)"),
        ("menu_again", "* [Ferries](/local/ferries/)"), ("menu_again", "* [Opinion](/opinion/)"),
        ("menu_again", "* [Weather](/weather/)")]
    # The footer keeps what only it links to; every removal names the header's entry.
    assert "* [Archive](/archive/)" in result.text
    # (A twin's offsets are in the returned text.)
    assert all(result.text[r.twin_start:r.twin_end].strip() == r.text.strip()
               and r.twin_start < result.text.index("# Ferry") for r in result.removed)
    assert apply_patch(text, result.diff) == result.text
    assert clean(result.text).text == result.text


def test_a_link_of_its_own_beside_prose_stays_when_printed_again() -> None:
    link = "[Read the full report](/reports/ferry-landing)"
    text = "\n\n".join(["Ferry landing stays open", WIDE, link,
                        "The vote was close, and the harbour board meets again in March.",
                        link, "The board will publish its findings in the spring."])
    assert [r.rule for r in clean(text).removed] == []


def test_a_list_with_one_link_among_its_items_is_no_menu() -> None:
    assert not lines_of_their_own(["* Two eggs", "* [Flour](/shop/flour)", "* Salt"])
    assert lines_of_their_own(["* Sections", "* [Local](/local/)", "* [Opinion](/opinion/)"])
