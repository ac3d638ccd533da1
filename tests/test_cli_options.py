"""The command takes what the API takes: cleaning options (checked by the same
`CleanConfig.from_options`), the field names documented with their defaults, and a backfill
keeps the input's own fields."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cleaning import CleanConfig, clean
from tests.conftest import SEEDS, integration
from tests.server import BIN

CLI = str(BIN / "newsclean")
SAMPLE = SEEDS / "000_20ca18fb463f4b56.txt"
PARAGRAPH = ("The council voted on Tuesday to close the old bridge to traffic for repairs "
             "that engineers say are long overdue.")
PASTED = f"Bridge closes\n\n{PARAGRAPH}\n\nWork starts in May.\n\n{PARAGRAPH}\n"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False)


def test_clean_takes_the_options_post_clean_takes(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(PASTED, encoding="utf-8")
    assert run("clean", article).stdout == clean(PASTED).text  # the copy goes by default
    kept = clean(PASTED, CleanConfig.from_options({"remove_duplicate": False})).text
    assert kept.count(PARAGRAPH) == 2
    assert run("clean", article, "--option", "remove_duplicate=false").stdout == kept
    assert run("clean", article, "--options", '{"remove_duplicate": false}').stdout == kept
    # Values are JSON, a bare word is a string; --option wins over --options.
    both = run("clean", article, "--options", '{"remove_duplicate": true, "min_words": 40}',
               "--option", "remove_duplicate=false", "--option", "candidate_search=exact",
               "--json")
    assert both.returncode == 0, both.stderr
    assert json.loads(both.stdout)["removed"] == []


@pytest.mark.parametrize(("args", "message"), [
    (["--option", "min_words=0"], "min_words must be from 1 to 1000"),
    (["--option", "colour=blue"], "unknown option 'colour'"),
    (["--option", "remove_duplicate=maybe"], "remove_duplicate must be true or false"),
    (["--option", "min_words"], "--option takes NAME=VALUE"),
    (["--options", "{min_words: 2"], "--options is not JSON"),
    (["--options", "[1]"], "--options must be a JSON object"),
])
@pytest.mark.parametrize("command", ["clean", "backfill"])
def test_a_bad_option_is_a_clear_error_and_exit_2(tmp_path: Path, command: str,
                                                  args: list[str], message: str) -> None:
    article = tmp_path / "a.txt"
    article.write_text(PASTED, encoding="utf-8")
    where = [article] if command == "clean" else [article, tmp_path / "out.jsonl"]
    done = run(command, *where, *args)
    assert done.returncode == 2
    assert f"newsclean {command}: error: bad option: " in done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("command", ["clean", "backfill"])
def test_help_documents_the_fields_and_their_defaults(command: str) -> None:
    text = " ".join(run(command, "--help").stdout.split())
    for flag, default in (("--text-field", "text"), ("--title-field", "title"),
                          ("--id-field", "id")):
        assert flag in text
        assert f"(default: {default})" in text
    assert "--option NAME=VALUE" in text
    assert "--options JSON" in text


def records() -> list[dict[str, Any]]:
    return [{"id": f"a-{n}", "text": PASTED, "title": "Bridge closes", "url": f"https://x/{n}",
             "section": "local", "words": 40 + n, "changed": "2026-01-0" + str(n + 1)}
            for n in range(3)] + [{"id": "no-text", "url": "https://x/none"}]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_backfill_takes_the_options(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", records()[:3])
    done = run("backfill", source, tmp_path / "out.jsonl", "--no-progress",
               "--option", "remove_duplicate=false")
    assert done.returncode == 0, done.stderr
    config = CleanConfig.from_options({"remove_duplicate": False})
    expected = clean(PASTED, config, title="Bridge closes").text
    assert [row["text"] for row in read_jsonl(tmp_path / "out.jsonl")] == [expected] * 3


def test_backfill_keeps_the_input_fields_in_jsonl(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", records())
    assert run("backfill", source, tmp_path / "all.jsonl", "--no-progress").returncode == 1
    rows = read_jsonl(tmp_path / "all.jsonl")
    assert rows[0]["url"] == "https://x/0"
    assert rows[0]["section"] == "local"
    assert rows[0]["words"] == 40
    assert rows[0]["title"] == "Bridge closes"
    # A field named like an output column keeps its value under input_<name>.
    assert rows[0]["changed"] is True
    assert rows[0]["input_changed"] == "2026-01-01"
    assert rows[0]["text"] == clean(PASTED, title="Bridge closes").text  # the cleaned text
    assert rows[3]["url"] == "https://x/none"
    assert rows[3]["error"] == "no text"
    run("backfill", source, tmp_path / "some.jsonl", "--no-progress",
        "--keep-fields", "url,words,nothing")
    some = read_jsonl(tmp_path / "some.jsonl")
    assert {k for k in some[0] if k not in rows[0] or k in ("url", "words")} == {"url", "words"}
    assert "section" not in some[0]
    assert "nothing" not in some[0]
    run("backfill", source, tmp_path / "none.jsonl", "--no-progress", "--keep-fields", "none")
    from cleaning.batch import OUTPUT_COLUMNS

    assert list(read_jsonl(tmp_path / "none.jsonl")[0]) == list(OUTPUT_COLUMNS)


def test_backfill_keeps_the_input_fields_in_parquet(tmp_path: Path) -> None:
    pa = integration("pyarrow")
    import pyarrow.parquet as pq

    rows = records()
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    run("backfill", tmp_path / "in.parquet", tmp_path / "from-parquet.parquet", "--no-progress")
    run("backfill", source, tmp_path / "from-jsonl.parquet", "--no-progress")
    from_parquet = pq.read_table(tmp_path / "from-parquet.parquet")
    assert from_parquet.schema.field("words").type == pa.int64()  # the input's own type
    assert from_parquet.schema.field("url").type == pa.string()
    out = from_parquet.to_pylist()
    assert [r["url"] for r in out] == [r["url"] for r in rows]
    assert out[1]["input_changed"] == "2026-01-02"
    assert out[1]["section"] == "local"
    assert pq.read_table(tmp_path / "from-jsonl.parquet").to_pylist() == out
