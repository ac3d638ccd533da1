"""The library's contract: its public names, its purity, its config and its decoding."""

from __future__ import annotations

import ast
import importlib
import random
import subprocess
import sys
from dataclasses import fields, replace
from operator import attrgetter
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

import cleaning
from cleaning import (
    RULES,
    BinaryInputError,
    CleanConfig,
    ConfigError,
    MinHashFactory,
    clean,
    decode_bytes,
    residue,
)
from cleaning.config import CLEAN_DEFAULTS
from cleaning.dedup import DuplicateFinder, block_infos
from cleaning.fingerprint import SIGNATURE_SLICE, match_tokens, shingle_hash, shingles
from cleaning.passes import PASSES, STEPS, Pass, Step


def test_all_matches_public_names() -> None:
    public = {name for name in vars(cleaning) if not name.startswith("_")}
    modules = {"blocks", "chardata", "config", "decode", "dedup", "diff", "errors",
               "fingerprint", "headline", "pipeline", "repair", "result", "annotations", "align", "residue",
               "budget", "batch", "passes", "rules"}
    assert set(cleaning.__all__) == public - modules


def test_import_pulls_in_no_web_framework() -> None:
    # (datasketch imports the redis client for its own storage layer: not our doing.)
    code = ("import sys, cleaning; cleaning.clean('Title\\n\\nBody.');"
            "print([m for m in ('flask', 'gunicorn', 'werkzeug') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_library_reads_no_environment_and_no_network() -> None:
    forbidden = {"os", "socket", "flask", "redis", "urllib", "http", "requests", "subprocess"}
    for path in Path(cleaning.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not names & forbidden, f"{path.name} imports {names & forbidden}"


@pytest.mark.parametrize(("options", "message"), [
    ({"min_words": 0}, "min_words must be from 1 to 1000"),
    ({"containment_threshold": 1.5}, "from 0 to 1"),
    ({"candidate_search": "fast"}, "candidate_search must be"),
    ({"num_perm": 100}, "lsh_bands * lsh_rows must equal num_perm"),
])
def test_config_errors_say_what_to_do(options: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("*", r"\*")):
        CleanConfig.from_options(options)


def test_config_is_frozen() -> None:
    config = CleanConfig()
    with pytest.raises(AttributeError):
        config.min_words = 3  # type: ignore[misc]


def test_decode_declared_default_detected_and_binary() -> None:
    text = "Zoë’s café — 100 €"
    assert decode_bytes(text.encode("cp1252"), "windows-1252").source == "declared"
    assert decode_bytes(text.encode("utf-8")).source == "default"
    assert decode_bytes(text.encode("utf-16")).text == text
    long = ("Der Bürgermeister sagte am Freitag, dass die Straße über die Brücke "
            "im Frühjahr geöffnet wird. ") * 5
    detected = decode_bytes(long.encode("cp1252"))
    assert detected.source == "detected"
    assert detected.text == long
    wrong = decode_bytes(text.encode("utf-8"), "ascii")  # a wrong declaration falls through
    assert wrong.text == text
    for blob in (b"%PDF-1.7 ...", b"\x89PNG\r\n\x1a\n...", b"text\x00with nul"):
        with pytest.raises(BinaryInputError):
            decode_bytes(blob)
    result = clean(text.encode("cp1252"), charset="cp1252")
    assert (result.text, result.encoding, result.encoding_source) == (text + "\n", "cp1252",
                                                                      "declared")


def test_minhash_factory_matches_datasketch() -> None:
    config = CleanConfig()
    factory = MinHashFactory(config)
    groups = [[shingle_hash(s) for s in shingles(match_tokens(t), config)]
              for t in ("the quick brown fox jumps over the lazy dog", "a b c d e f", "x")]
    for group, sig in zip(groups, factory.signatures(groups), strict=True):
        reference = MinHash(num_perm=config.num_perm, seed=config.seed,
                            hashfunc=lambda v: v, scheme="affine32")
        reference.update_batch(group)
        assert np.array_equal(sig.hashvalues, reference.hashvalues)
        assert np.array_equal(factory.new(group).hashvalues, reference.hashvalues)


def test_signatures_computed_a_slice_at_a_time_match_datasketch() -> None:
    """Groups that straddle the slices of `SIGNATURE_SLICE` hashes, and empty ones."""
    config = CleanConfig()
    factory = MinHashFactory(config)
    rng = random.Random(7)
    sizes = [SIGNATURE_SLICE + 3, 0, 5, SIGNATURE_SLICE, 1, 2 * SIGNATURE_SLICE + 1]
    groups = [[rng.getrandbits(32) for _ in range(size)] for size in sizes]
    for group, sig in zip(groups, factory.signatures(groups), strict=True):
        assert np.array_equal(sig.hashvalues, factory.new(group).hashvalues)


def test_minhash_search_decides_like_exact_search() -> None:
    paras = [f"Paragraph {k} talks about the river, the bridge and the market square in "
             f"the old town, where the council will meet on day {k} of the month." for k in range(30)]
    near = paras[5].replace("will meet", "is going to meet")
    raw = "\n\n".join(["Title", *paras, near, *paras[10:14]])
    exact = clean(raw, CleanConfig(candidate_search="exact"))
    lsh = clean(raw, CleanConfig(candidate_search="minhash"))
    assert exact.text == lsh.text
    assert [(r.block, r.kind) for r in exact.removed] == [(r.block, r.kind) for r in lsh.removed]


PARAGRAPH = ("A long paragraph that says one thing about the town hall and its new roof and "
             "the cost of it all.")


@pytest.mark.parametrize("p", [p for p in PASSES if p.names_twin], ids=attrgetter("name"))
def test_a_pass_switched_off_keeps_and_reports_what_it_would_remove(p: Pass) -> None:
    teaser = "The town hall gets a new roof, and the cost of it all is ..."
    article = "\n\n".join([
        "Town hall roof", "Town hall roof", PARAGRAPH, PARAGRAPH,
        "A long paragraph that says one thing about the town hall and its old roof and "
        "the cost of it all.",
        "The town hall gets a new roof, and the cost of it all is twice the first estimate "
        "of the council.", teaser])
    removed = {r.kind: r.block for r in clean(article).removed}
    assert removed.keys() == {q.name for q in PASSES if q.names_twin}  # every pass has one
    result = clean(article, replace(CLEAN_DEFAULTS, **{p.flag: False}))
    assert p.name not in {r.kind for r in result.removed}
    reports = [k for k in result.kept_similar if k.block == removed[p.name]]
    assert [k.rule for k in reports] == ["switched_off"]
    assert f"{p.flag} is off" in reports[0].reason


def test_every_decision_names_a_registered_rule_of_its_kind() -> None:
    teaser = "The town hall gets a new roof, and the cost of it all is ..."
    article = "\n\n".join([
        "Town hall roof", "Town hall roof", PARAGRAPH, "Q: Why now?", "Because it leaks.",
        "Q: Why now?", "Because it is winter.", PARAGRAPH,
        "The town hall gets a new roof, and the cost of it all is twice the first estimate "
        "of the council.", teaser, "<script>track();</script>"])
    result = clean(article)
    assert [r.rule for r in result.removed] == ["headline_copy", "pasted_alone",
                                                "part_of_block", "inline_script"]
    assert all(RULES[r.rule].kind == r.kind for r in result.removed)
    assert [k.rule for k in result.kept_similar] == ["interview_question"]
    assert all(RULES[k.rule].kind is None for k in result.kept_similar)
    assert result.kept_similar[0].reason == RULES["interview_question"].explanation


def test_every_pass_has_its_switch_and_its_rule() -> None:
    switches = {f.name for f in fields(CleanConfig) if f.type == "bool"}
    assert {p.flag for p in PASSES} <= switches
    assert all(callable(getattr(DuplicateFinder, p.name)) for p in PASSES if p.names_twin)
    assert len(set(map(attrgetter("explanation"), PASSES))) == len(PASSES)


def test_every_step_is_a_function_of_its_scope_and_every_pass_has_one() -> None:
    for step in STEPS:
        owner = residue if step.scope == "article" else DuplicateFinder
        assert callable(getattr(owner, step.function)), step
    assert {kind for step in STEPS for kind in step.kinds} == {p.name for p in PASSES}
    assert {r.kind for r in RULES.values()} - {None} == {p.name for p in PASSES}


def test_every_rule_names_the_function_that_decides_it() -> None:
    for rule in RULES.values():
        module, *names = rule.decided_by.split(".")
        owner: object = importlib.import_module(f"cleaning.{module}")
        for name in names:
            owner = getattr(owner, name)  # (an AttributeError names a rule gone stale)
        assert callable(owner) or isinstance(owner, property), rule


def test_the_registry_drives_the_order_of_the_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    article = ("Storm closes the harbour\n\nStorm closes the harbour\n\n"
               "The harbour closed at noon as the storm came in from the west.\n\n"
               "The harbour closed at noon as the storm came in from the west.\n")
    assert [r.rule for r in clean(article).removed] == ["headline_copy", "pasted_alone"]
    # The round runs the steps the registry lists, and nothing else: without the headline's
    # steps its copy is a short line repeated, which stays.
    monkeypatch.setattr("cleaning.dedup.ROUND_STEPS", (Step("duplicate", ("duplicate",)),))
    result = clean(article)
    assert [r.rule for r in result.removed] == ["pasted_alone"]
    assert [k.rule for k in result.kept_similar] == ["short_structure"]


def test_the_old_remove_duplicates_option_switches_the_three_passes() -> None:
    config = CleanConfig.from_options({"remove_duplicates": False})
    assert (config.remove_duplicate, config.remove_near_duplicate,
            config.remove_contained, config.remove_repeated_headline) == (
        False, False, False, True)
    # A field named as well wins over the alias.
    assert CleanConfig.from_options({"remove_duplicates": False,
                                     "remove_contained": True}).remove_contained
    # Its value is checked even when every field it sets is given (found by schemathesis).
    for value in (1, {}, None):
        with pytest.raises(ConfigError, match="remove_duplicates must be of type bool"):
            CleanConfig.from_options({"remove_duplicates": value, "remove_duplicate": True,
                                      "remove_near_duplicate": True, "remove_contained": True})


def test_title_hint_finds_copies_anywhere() -> None:
    body = [f"Paragraph number {k} of a story about the harbour and its boats." for k in range(9)]
    raw = "\n\n".join([*body, "Harbour Boats Return", *body[:0], "The end of the story."])
    result = clean(raw, title="Harbour boats return | Coastal Times")
    assert [r.kind for r in result.removed] == []  # the first copy is the headline's place
    raw2 = "\n\n".join(["Harbour boats return", *body, "HARBOUR BOATS RETURN"])
    result2 = clean(raw2, title="Harbour boats return | Coastal Times")
    assert [r.kind for r in result2.removed] == ["repeated_headline"]


def test_a_copy_of_a_removed_block_takes_the_kind_it_has_to_the_kept_one() -> None:
    # Block 4 repeats block 2 exactly; block 2 goes as a near duplicate of block 0 only in a
    # later round (once block 0 no longer reads as the headline). Block 4 is then a near
    # duplicate of block 0, not an exact one. (Found by hypothesis.)
    first = "市议会周五表示关于河船的新规定将在春季开始实施。"
    near = "市议会周五表示关于河船的新规定将在春季开始实施此。"
    raw = "\n\n".join([first, f"**{first}**", near, "The the the 0.", near, "The the the 0."])
    result = clean(raw)
    assert result.text == f"{first}\n\nThe the the 0.\n"
    kinds = {r.block: (r.kind, r.twin) for r in result.removed}
    assert kinds == {1: ("repeated_headline", 0), 2: ("near_duplicate", 0),
                     4: ("near_duplicate", 0), 5: ("duplicate", 3)}


def test_clean_leaves_the_garbage_collector_as_it_found_it() -> None:
    """`clean` pauses the cyclic collector while it runs, and resumes it only if it ran."""
    import gc

    assert gc.isenabled()
    clean("Hello.\n\nHello.\n")
    assert gc.isenabled()
    with pytest.raises(BinaryInputError):
        clean(b"\x00\x01\x02\x03" * 100)
    assert gc.isenabled()
    gc.disable()
    try:
        clean("Hello.\n")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cleaning_makes_no_reference_cycles() -> None:
    """What makes pausing the collector cheap: all that `clean` makes is freed by reference
    counting, but for datasketch's `MinHashLSH` (it holds a bound method of itself), which
    the collector frees once it runs again."""
    import gc

    seeds = Path(__file__).parent.parent / "seeds"
    texts = ["", "Storm hits coast\n\n**Storm hits coast**\n\nThe storm came at dawn.",
             "Caf\u00c3\u00a9 &amp; more\r\n\r\nCaf\u00c3\u00a9 &amp; more\r\n",
             "北京大学是中国的大学。\n北京大学是中国的大学。\n",
             *(p.read_text() for p in sorted(seeds.glob("*.txt")))]
    clean(texts[1])
    gc.collect()
    gc.disable()
    try:
        for text in texts:
            clean(text)
            clean(text, title="Storm hits coast")
            clean(text.encode("utf-16"))
        with pytest.raises(BinaryInputError):
            clean(b"\x00\x01\x02\x03" * 100)
        assert gc.collect() == 0
        gc.set_debug(gc.DEBUG_SAVEALL)
        for text in texts:
            clean(text, CleanConfig(candidate_search="minhash"))
        gc.collect()
        assert gc.garbage, "the minhash search ran"
        assert {type(o).__module__.split(".")[0] for o in gc.garbage} <= {
            "datasketch", "builtins", "collections"}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_strip_markup_skips_its_regex_only_where_it_cannot_match() -> None:
    from cleaning import chardata
    from cleaning.headline import strip_markup

    rnd = random.Random(5)
    alphabet = list("#*_> \tab.\n")
    for _ in range(20_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 8)))
        assert strip_markup(text) == chardata.HEADING_MARKUP_RE.sub("", text.strip()).strip()
    assert strip_markup("## Breaking news ##") == "Breaking news"
    assert strip_markup("**Bold**") == "Bold"


def test_truncated_reads_backwards_what_its_regex_finds() -> None:
    from cleaning import chardata

    rnd = random.Random(6)
    pieces = ["...", "\u2026", "[\u2026]", "[...]", " ", "\n", "read", "see", "more", "Read More",
              "sEe more", "continue", "reading", "\u0131", "\u017f", "x", "_", "9", "!", "\u00bb"]
    for _ in range(100_000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 8)))
        assert chardata.truncated(text) == (chardata.TRUNCATED_RE.search(text) is not None), text


def test_word_count_with_the_key_counts_as_without() -> None:
    from cleaning.fingerprint import match_key, match_tokens, word_count

    rnd = random.Random(8)
    pieces = ["word", "Word", "2", "42", "4g", "\u0663", "\u00b2", "\uff13", "\u2460", "caf\u00e9",
              "\u5317\u4eac", " ", " ", ", ", "\u2014", "<b>", "&amp;", "x1"]
    for _ in range(20_000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 10)))
        tokens = match_tokens(text)
        assert word_count(text, tokens, key=match_key(tokens)) == word_count(text, tokens), text


def test_a_round_is_a_function_of_its_blocks() -> None:
    """A decision round carries nothing from the round before: the same blocks decided
    twice, or fresh blocks of the same text, give the same decisions and reports."""
    from cleaning.config import CLEAN_DEFAULTS
    from cleaning.dedup import DuplicateFinder, block_infos, mark_suspects

    texts = ["The council approved the new budget of 12 million dollars for the coming "
             "year on Monday evening.",
             "Something else entirely, a paragraph about the weather and the harbour and "
             "the boats in it today.",
             "The council approved the new budget of 15 million dollars for the coming "
             "year on Monday evening.",
             "Something else entirely, a paragraph about the weather and the harbour and "
             "the boats in it today."]

    def decide(infos: list) -> tuple:
        decisions, similar = DuplicateFinder(infos, CLEAN_DEFAULTS).decide(None, [])
        return ({i: (d.kind, d.twin) for i, d in decisions.items()},
                [(k.block, k.twin, k.reason) for k in similar])

    infos = block_infos(texts)
    mark_suspects(infos, CLEAN_DEFAULTS)
    first = decide(infos)
    assert first[0] == {3: ("duplicate", 1)}
    assert [(b, t) for b, t, _ in first[1]] == [(2, 0)]
    assert decide(infos) == first
    others = block_infos(texts)
    mark_suspects(others, CLEAN_DEFAULTS)
    assert decide(others) == first


LONG_ARTICLE = "\n\n".join(f"Paragraph {k} tells of the harbour, the boats and the storm."
                             for k in range(20_000))


def test_time_limit_stops_a_long_clean_and_is_per_call() -> None:
    import time

    from cleaning import TimeLimitExceeded

    started = time.thread_time()
    with pytest.raises(TimeLimitExceeded) as err:
        clean(LONG_ARTICLE, time_limit=0.005)
    assert err.value.limit == 0.005
    assert time.thread_time() - started < 0.5  # stopped near its limit, not at the end
    # The limit went with its call: the next call, without one, runs to the end.
    assert clean(LONG_ARTICLE).stats.blocks_in == 20_000
    assert clean(LONG_ARTICLE, time_limit=60).text == clean(LONG_ARTICLE).text


def test_time_limit_is_each_threads_own() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from cleaning import TimeLimitExceeded

    def run(limit: float | None) -> str:
        try:
            return clean(LONG_ARTICLE, time_limit=limit).text[:10]
        except TimeLimitExceeded:
            return "stopped"

    with ThreadPoolExecutor(2) as pool:
        limited, free = pool.map(run, [0.001, None])
    assert (limited, free) == ("stopped", "Paragraph ")


def test_a_batch_row_names_the_rules_that_removed_blocks() -> None:
    from cleaning.batch import clean_row

    row = clean_row("\n\n".join(["Town hall roof", "**Town hall roof**", PARAGRAPH, PARAGRAPH]))
    assert row["rules"] == "headline_copy:1,pasted_alone:1"
    assert clean_row("Nothing repeats here.")["rules"] == ""


@pytest.mark.parametrize("seed", range(40))
def test_the_body_is_read_from_its_ends_as_from_every_block(seed: int) -> None:
    """`DuplicateFinder._body` reads from either end up to the first paragraph: the span
    of every paragraph, as looking at each block finds it."""
    rng = random.Random(seed)
    sentence = "The council met on Tuesday to discuss the plan for the new harbour wall."
    shapes = [sentence, "Short label", sentence.rstrip(".") + " and more",
              "A question that runs on for quite a few words, does it not really now?", ""]
    texts = [rng.choice(shapes) for _ in range(rng.randint(0, 12))]
    infos = block_infos(texts)
    paragraphs = [k for k, info in enumerate(infos)
                  if info.words >= CLEAN_DEFAULTS.min_words and info.sentence]
    plain = (range(paragraphs[0], paragraphs[-1] + 1) if len(paragraphs) > 1 else range(0))
    assert DuplicateFinder(infos, CLEAN_DEFAULTS)._body == plain
