"""The front door, against the real gunicorn on loopback: its logs are JSON whatever the
client sends, and starting and stopping it touches only what it owns."""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server import BIN, free_port, log_path, post_json, request, running

pytestmark = pytest.mark.e2e

SERVE = [str(BIN / "newsclean"), "serve", "--workers", "1"]
RFC3339_UTC_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Path]]:
    port = free_port()
    with running(SERVE, port=port) as base:
        yield base, log_path(port)


def raw_get(base: str, target: bytes, agent: bytes) -> None:
    """A GET with a request line and User-Agent of our choosing, bytes as they are."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nUser-Agent: " + agent
                     + b"\r\nConnection: close\r\n\r\n")
        while sock.recv(65536):
            pass


def log_lines(log: Path) -> list[str]:
    text = log.read_text(encoding="utf-8", errors="replace")
    return [line for line in text.split("\n") if line.strip()]


printable = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
                    max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(path=printable, query=printable, agent=printable)
def test_every_access_log_line_is_json(server: tuple[str, Path], path: str, query: str,
                                       agent: str) -> None:
    base, _log = server
    target = ("/" + quote(path, safe="/\\\"'") + "?" + quote(query, safe="=&\\\"")).encode()
    raw_get(base, target, agent.encode("utf-8"))
    raw_get(base, b"/x%0Ay%22%5C%09z?a=%0A", b'say "hi"\\\tnow \xc3\xa9')


def test_the_whole_log_parses_as_json(server: tuple[str, Path]) -> None:
    base, log = server
    raw_get(base, b"/x%0Ay%22%5C%09z?a=%0A", b'say "hi"\\\tnow \xc3\xa9')
    time.sleep(0.5)  # gunicorn writes the line after answering
    lines = log_lines(log)
    records = [json.loads(line) for line in lines]  # every line, access and error alike
    access = [r for r in records if "path" in r]
    assert any(r["path"] == '/x\ny"\\\tz' for r in access)
    assert all(RFC3339_UTC_MS.match(r["time"]) for r in records)


def test_a_shared_metrics_folder_keeps_what_is_not_ours() -> None:
    folder = Path(tempfile.mkdtemp(prefix="shared-"))
    (folder / "keep.txt").write_text("someone else's file")
    (folder / "counter_999999.db").write_bytes(b"stale samples")
    with running(SERVE, env={"PROMETHEUS_MULTIPROC_DIR": str(folder)}) as base:
        request("GET", base + "/healthz")
        assert (folder / "keep.txt").exists()
        assert not (folder / "counter_999999.db").exists()
    assert (folder / "keep.txt").read_text() == "someone else's file"


def test_the_metrics_folder_made_for_a_run_goes_with_it() -> None:
    before = set(Path(tempfile.gettempdir()).glob("newsclean-metrics-*"))
    with running(SERVE) as base:
        request("GET", base + "/healthz")
        during = set(Path(tempfile.gettempdir()).glob("newsclean-metrics-*")) - before
        assert len(during) == 1
    deadline = time.monotonic() + 10
    while any(p.exists() for p in during) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(p.exists() for p in during)


def test_it_serves_with_no_home_and_no_control_socket(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "no-such-home")}
    with running(SERVE, env=env) as base:
        assert request("GET", base + "/healthz")[0] == 200
    assert not (tmp_path / "no-such-home").exists()
    assert not os.path.exists(tmp_path / "no-such-home" / ".gunicorn")


def test_serve_ignores_a_service_module_in_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "service.py").write_text("raise SystemExit('the wrong service module')\n")
    with running(SERVE, cwd=tmp_path) as base:
        assert request("GET", base + "/healthz")[0] == 200


def chunked_post(base: str, body: bytes, *, framing_ok: bool = True) -> tuple[int, bytes]:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /clean HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                     b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        for start in range(0, len(body), 500):
            part = body[start:start + 500]
            sock.sendall(b"%x\r\n" % len(part) + part + b"\r\n")
        sock.sendall(b"0\r\n\r\n" if framing_ok else b"zz\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, payload = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), payload


def test_a_chunked_body_over_the_limit_is_413_never_cut() -> None:
    port = free_port()
    env = {"NEWSCLEAN_MAX_BODY_BYTES": "1000"}
    with running(SERVE, env=env, port=port) as base:
        status, payload = chunked_post(base, b"word " * 2000)
        assert status == 413
        assert json.loads(payload)["error"]["code"] == "too_large"
        status, payload = chunked_post(base, b"w" * 1000)  # exactly the limit
        assert status == 200
        assert json.loads(payload)["text"] == "w" * 1000 + "\n"
        status, payload = chunked_post(base, b"word " * 50, framing_ok=False)
        assert status == 400
        assert json.loads(payload)["error"]["code"] == "bad_body"
    log = log_path(port).read_text(errors="replace")
    assert "Traceback" not in log


def raw_exchange(base: str, data: bytes) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"GARBAGE\r\n\r\n", 400, "bad_request"),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % n for n in range(200))
     + b"\r\n", 431, "headers_too_large"),
])
def test_gunicorn_s_own_errors_are_the_json_shape(server: tuple[str, Path], data: bytes,
                                                  status: int, code: str) -> None:
    base, _ = server
    got, headers, body = raw_exchange(base, data)
    assert got == status
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert set(error) == {"status", "code", "message", "request_id"}


def test_a_key_in_the_query_string_never_reaches_the_access_log() -> None:
    """Keys are read from the Authorization header only; a client that puts one in the
    query anyway must not have it written to the access log (issue 22)."""
    secret = "k-9f8e7d6c5b4a"
    port = free_port()
    with running(SERVE, env={"NEWSCLEAN_API_KEYS": secret}, port=port) as base:
        status, _, _ = request("POST", base + f"/clean?api_key={secret}&diff=false",
                               b"Some text.", {"Content-Type": "text/plain"})
        assert status == 401  # the query is not a way to send a key
        request("GET", base + f"/healthz?token=other-token&title={secret}")
        request("GET", base + "/healthz?access_token=abc123")
        status, _, _ = request("POST", base + "/clean?diff=false", b"Some text.",
                               {"Content-Type": "text/plain",
                                "Authorization": f"Bearer {secret}"})
        assert status == 200
        time.sleep(0.5)  # gunicorn writes the line after answering
    text = log_path(port).read_text(errors="replace")
    access = [json.loads(line) for line in log_lines(log_path(port)) if '"query"' in line]
    assert secret not in text
    assert "other-token" not in text
    assert "abc123" not in text
    queries = [r["query"] for r in access]
    assert "api_key=REDACTED&diff=false" in queries, queries
    assert "token=REDACTED&title=REDACTED" in queries, queries


def test_a_head_too_slow_is_answered_logged_and_counted() -> None:
    """The 408 for a head that did not arrive in time is written by the worker before the
    app sees the request; it is in the access log and in /metrics all the same."""
    port = free_port()
    with running(SERVE, env={"NEWSCLEAN_READ_TIMEOUT": "1"}, port=port) as base:
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(b"POST /clean HTTP/1.1\r\nHost: x\r\n")  # and no more
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            assert answer.startswith(b"HTTP/1.1 408 "), answer[:100]
        time.sleep(0.5)  # counted just after the answer is written
        status, _, body = request("GET", base + "/metrics")
        assert status == 200
        metrics = body.decode()
    assert 'newsclean_errors_total{code="slow_request"} 3.0' in metrics
    assert re.search(r'newsclean_http_requests_total\{endpoint="unmatched",method="other",'
                     r'status="408"\} 3\.0', metrics), metrics
    access = [json.loads(line) for line in log_lines(log_path(port)) if '"status"' in line]
    assert sum(r["status"] == 408 for r in access) == 3


def metric_series(base: str) -> set[str]:
    _, _, body = request("GET", base + "/metrics")
    return {line.rsplit(" ", 1)[0] for line in body.decode().splitlines()
            if line and not line.startswith("#")}


def test_random_methods_add_no_series_after_the_first(server: tuple[str, Path]) -> None:
    """Methods HTTP does not define share the label "other": after one such request, 20
    more with other random methods add no metric series (issue 22 counted 61 new series
    for 20; they are the first unmatched request's histograms, made once)."""
    base, _ = server
    raw_get(base, b"/clean", b"warm")  # the series of an unmatched GET exist
    request("GET", base + "/metrics")
    raw_exchange(base, b"FIRSTONE /clean HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    before = metric_series(base)
    for n in range(20):
        method = "".join(chr(65 + (n * 7 + k * 3) % 26) for k in range(6 + n % 5))
        status, _, _ = raw_exchange(
            base, f"{method} /clean HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        assert status == 405
    assert metric_series(base) - before == set()


#: Line breaks that are none in the body and one in the article the cleaner splits: an
#: entity, an entity escaped again, the mojibake of U+2028 (its UTF-8 read as cp1252).
REVEALED_BREAKS = ["a&#10;", "a&amp;#10;", "a&NewLine;",
                   "a" + "\u2028".encode().decode("cp1252")]


def test_line_breaks_that_repair_reveals_count_against_the_line_limit() -> None:
    """NEWSCLEAN_MAX_LINES counted the breaks of the body, and 1,001 of these made 1,002
    lines under a limit of 1,000, answered 200 (5 MB of them would be a million lines).
    The limit holds for the lines the cleaner splits, once repaired: one shape of error,
    413, for a body, a JSON article and a batch item."""
    with running(SERVE, env={"NEWSCLEAN_MAX_LINES": "1000"}) as base:
        for piece in REVEALED_BREAKS:
            status, body = post_json(base + "/clean", {"text": piece * 1_001})
            assert status == 413, (piece, body)
            assert body["error"]["code"] == "too_many_lines"
            assert "NEWSCLEAN_MAX_LINES" in body["error"]["message"]
            status, _, raw = request("POST", base + "/clean", (piece * 1_001).encode(),
                                     {"Content-Type": "text/plain; charset=utf-8"})
            assert status == 413, raw[:200]
            assert json.loads(raw)["error"]["code"] == "too_many_lines"
            status, body = post_json(base + "/clean", {"text": piece * 1_000})
            assert status == 200, (piece, body)
        status, _, raw = request(
            "POST", base + "/clean/batch",
            b"\n".join(json.dumps({"id": n, "text": text}).encode()
                       for n, text in enumerate(["a&#10;" * 1_001, "Fine."])),
            {"Content-Type": "application/x-ndjson"})
        assert status == 200
        first, second = (json.loads(line) for line in raw.splitlines())
        assert first["error"]["status"] == 413
        assert first["error"]["code"] == "too_many_lines"
        assert second["text"] == "Fine.\n"
