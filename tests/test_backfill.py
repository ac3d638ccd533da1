"""Backfills: `cleaning.batch` over the batch formats, and `newsclean backfill` on
processes, on Ray in local mode, and after a crash."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from cleaning import clean
from cleaning.batch import OUTPUT_COLUMNS, CleanBatch
from tests.conftest import integration, seed_cases
from tests.server import BIN

CLI = str(BIN / "newsclean")


def shaped_records(corpus: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Corpus-shaped records: real articles, some pasted twice, ids of both types, some
    without a title, one that is no article."""
    records: list[dict[str, Any]] = []
    for n in range(count):
        art = corpus[n % len(corpus)]
        body = "\n\n".join([str(art["title"]), *art["paragraphs"]])  # type: ignore[misc]
        record: dict[str, Any] = {"id": n if n % 2 else f"a-{n}",
                                  "text": body + ("\n\n" + body if n % 3 == 0 else "")}
        if n % 5:
            record["title"] = art["title"]
        records.append(record)
    records[7] = {"id": "no-text", "title": "x"}
    return records


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def expected_text(record: dict[str, Any]) -> str | None:
    if not isinstance(record.get("text"), str):
        return None
    return clean(record["text"], title=record.get("title")).text


def backfill(*args: str | Path, check: int = 1) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run([CLI, "backfill", *map(str, args), "--no-progress"],
                          capture_output=True, timeout=600)
    assert done.returncode == check, done.stderr[-3000:]
    return done


# ---------------------------------------------------------------------- the library


def test_clean_batch_gives_what_clean_gives_per_record() -> None:
    cases = seed_cases()
    batch = {"text": [c[1] for c in cases], "title": [c[3].get("title") for c in cases],
             "id": list(range(len(cases)))}
    out = CleanBatch()(batch)
    assert list(out) == list(OUTPUT_COLUMNS)
    assert out["text"] == [clean(t, title=h).text for t, h in zip(batch["text"], batch["title"],
                                                                strict=True)]
    assert out["line"] == list(range(1, len(cases) + 1))
    assert out["id"] == [str(i) for i in batch["id"]]
    assert all(e is None for e in out["error"])
    kinds = [k for k in OUTPUT_COLUMNS if k.startswith("removed_")]
    assert out["removed"] == [sum(out[k][n] for k in kinds) for n in range(len(cases))]


def test_clean_batch_takes_pandas_and_arrow_alike() -> None:
    pd = integration("pandas")
    pa = integration("pyarrow")
    cases = seed_cases()[:10]
    columns = {"body": [c[1] for c in cases], "key": [f"k{n}" for n in range(10)]}
    columns["body"][3] = None  # a row without text
    cleaner = CleanBatch("body", None, "key")
    plain = cleaner(columns)
    frame = cleaner(pd.DataFrame(columns))
    table = cleaner(pa.table(columns))
    assert frame.astype(object).where(frame.notna(), None).to_dict("list") == plain
    assert str(frame["removed"].dtype) == "Int64"
    assert table.to_pydict() == plain
    assert table.schema.field("changed").type == pa.bool_()
    assert plain["error"][3].startswith("no text")
    streamed = list(cleaner.each(pd.DataFrame(columns).iloc[i:i + 4] for i in range(0, 10, 4)))
    assert pd.concat(streamed).astype(object).to_dict("list")["text"] == plain["text"]
    assert plain["text"][3] is None


# ---------------------------------------------------------------------- the command


def test_two_workers_write_what_one_writes(tmp_path: Path, corpus: list[dict[str, Any]]) -> None:
    records = shaped_records(corpus, 300)
    source = write_jsonl(tmp_path / "in.jsonl", records)
    backfill(source, tmp_path / "one.jsonl", "--workers", "1")
    backfill(source, tmp_path / "two.jsonl", "--workers", "2")
    one = read_jsonl(tmp_path / "one.jsonl")
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    assert [row["text"] for row in one] == [expected_text(r) for r in records]
    assert [row["line"] for row in one] == list(range(1, 301))
    assert one[7]["error"] is not None
    assert [row["id"] for row in one[:4]] == ["a-0", "1", "a-2", "3"]


def test_field_mapping_and_parquet_both_ways(tmp_path: Path) -> None:
    pa = integration("pyarrow")
    import pyarrow.parquet as pq

    cases = seed_cases()
    rows = [{"maintext": c[1], "headline": c[3].get("title"), "url": f"https://x/{n}"}
            for n, c in enumerate(cases)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    write_jsonl(tmp_path / "in.jsonl", rows)
    mapping = ["--text-field", "maintext", "--title-field", "headline", "--id-field", "url"]
    backfill(tmp_path / "in.parquet", tmp_path / "out.parquet", *mapping, check=0)
    backfill(tmp_path / "in.jsonl", tmp_path / "out.jsonl", *mapping, check=0)
    from_parquet = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert from_parquet == read_jsonl(tmp_path / "out.jsonl")
    assert [r["text"] for r in from_parquet] == [c[2] for c in cases]  # the seeds' answers
    assert from_parquet[0]["id"] == "https://x/0"


def test_a_run_killed_half_way_resumes_and_writes_each_record_once(
        tmp_path: Path, corpus: list[dict[str, Any]]) -> None:
    records = shaped_records(corpus, 3000)
    source = write_jsonl(tmp_path / "in.jsonl", records)
    target = tmp_path / "out.jsonl"
    run = subprocess.Popen([CLI, "backfill", str(source), str(target), "--no-progress"],
                           stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while (not target.exists() or target.read_bytes().count(b"\n") < 700) \
            and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    run.wait()
    written = target.read_bytes().count(b"\n")
    assert 700 <= written < 3000, "the run was not killed half-way"
    with target.open("ab") as out:
        out.write(b'{"line": 9999, "id": "cut sh')  # a line the crash cut short
    backfill(source, target, check=0)  # the record without text was written before the kill
    rows = read_jsonl(target)
    assert [row["line"] for row in rows] == list(range(1, 3001))
    backfill(source, tmp_path / "whole.jsonl")
    assert target.read_bytes() == (tmp_path / "whole.jsonl").read_bytes()


def test_parquet_output_resumes_from_its_whole_parts(tmp_path: Path,
                                                     corpus: list[dict[str, Any]]) -> None:
    integration("pyarrow")
    import pyarrow.parquet as pq

    from newsclean import backfill as job

    records = shaped_records(corpus, 150)
    source = write_jsonl(tmp_path / "in.jsonl", records)
    target = tmp_path / "out.parquet"
    original = job.PARQUET_PART_ROWS
    job.PARQUET_PART_ROWS = 40
    try:
        job.backfill(source, target, progress=False)
        parts = sorted(target.glob("part-*.parquet"))
        assert len(parts) == 3  # parts of whole chunks (64 rows) past 40 rows: 64, 64, 22
        lost = pq.ParquetFile(parts[-1]).metadata.num_rows
        parts[-1].unlink()  # as if the run had died before its last part
        (target / "part-000002.tmp").write_bytes(b"half a file")
        written, _ = job.backfill(source, target, progress=False)
    finally:
        job.PARQUET_PART_ROWS = original
    assert written == lost
    lines = pq.read_table(target).column("line").to_pylist()
    assert lines == list(range(1, 151))


def test_ray_local_mode_gives_what_clean_gives(tmp_path: Path,
                                               corpus: list[dict[str, Any]]) -> None:
    integration("ray")
    records = shaped_records(corpus, 400)
    source = write_jsonl(tmp_path / "in.jsonl", records)
    backfill(source, tmp_path / "ray.jsonl", "--ray", "local", "--workers", "2")
    backfill(source, tmp_path / "local.jsonl")
    on_ray = read_jsonl(tmp_path / "ray.jsonl")
    assert [row["text"] for row in on_ray] == [expected_text(r) for r in records]
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
