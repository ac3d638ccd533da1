"""The `newsclean` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import SEEDS
from tests.patchutil import apply_patch
from tests.server import BIN, request, running

SAMPLE = SEEDS / "000_20ca18fb463f4b56.txt"
EXPECTED = (SEEDS / "000_20ca18fb463f4b56.expected.txt").read_text(encoding="utf-8")
CLI = str(BIN / "newsclean")


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, timeout=120,
                          check=False)


def test_clean_file_text_json_and_diff() -> None:
    assert run("clean", str(SAMPLE)).stdout.decode() == EXPECTED
    result = json.loads(run("clean", "-", "--json", stdin=SAMPLE.read_bytes()).stdout)
    assert result["text"] == EXPECTED
    assert len(result["runs"]) == 1
    diff = run("clean", str(SAMPLE), "--diff").stdout.decode()
    assert apply_patch(SAMPLE.read_text(encoding="utf-8"), diff) == EXPECTED


def test_clean_jsonl_with_progress_and_error_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([
        json.dumps({"id": "a", "text": SAMPLE.read_text(encoding="utf-8")}),
        "{not json",
        json.dumps({"id": "c", "text": "Hello   world."}),
    ]) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    done = run("clean", "--jsonl", str(source), str(target))
    assert done.returncode == 1  # one line failed, and says so
    assert b"article" in done.stderr  # the progress bar
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert out[0]["id"] == "a"
    assert out[0]["text"] == EXPECTED
    assert out[1]["line"] == 2
    assert out[1]["error"].startswith("not a JSON line")
    assert out[1]["text"] is None
    assert out[0]["error"] is None
    assert out[2]["text"] == "Hello world.\n"


def test_binary_input_is_refused_with_a_message(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7 binary")
    done = run("clean", str(pdf))
    assert done.returncode == 1
    assert b"PDF" in done.stderr


def test_serve_with_bind_and_workers() -> None:
    with running([CLI, "serve", "--workers", "1"]) as base:
        assert request("GET", base + "/healthz")[0] == 200
