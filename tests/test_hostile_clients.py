"""Clients that hold resources (issue 22), against the real gunicorn on loopback, started
as `newsclean serve` starts it: a thousand slow senders starve no probe and no fast
client; a client that never reads its answer is cut at the send deadline and its memory
comes back."""

from __future__ import annotations

import http.client
import json
import re
import resource
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import BIN, free_port, log_path, running

pytestmark = pytest.mark.e2e

SERVE = [str(BIN / "newsclean"), "serve"]  # the shipped defaults: two workers
#: The issue's floor: at least this many slow connections at once on one instance.
SLOW_CONNECTIONS = 1000


@pytest.fixture
def enough_files() -> Iterator[None]:
    """This process opens SLOW_CONNECTIONS sockets and more: raise its soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = SLOW_CONNECTIONS + 500
    if hard != resource.RLIM_INFINITY and hard < need:
        pytest.skip(f"the hard limit on open files ({hard}) is below {need}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def status(port: int, method: str, path: str, timeout: float, body: str | None = None) -> int:
    """The status of one request on a new connection: -2 for a timeout, -1 for another
    failure of the connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError as exc:
        return -1 if not isinstance(exc, TimeoutError) else -2
    finally:
        conn.close()


def get(port: int, path: str, timeout: float) -> int:
    return status(port, "GET", path, timeout)


def clean(port: int, text: str, timeout: float) -> int:
    return status(port, "POST", "/clean?diff=false", timeout, json.dumps({"text": text}))


#: What the slow clients send, a byte a round: half stall in the head, half in the body.
SLOW_HEAD = b"POST /clean HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
SLOW_BODY = (b"POST /clean HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
             b"Content-Length: 1000\r\n\r\n")


@pytest.mark.timeout(600)
@pytest.mark.usefixtures("enough_files")
def test_a_thousand_slow_senders_starve_no_probe_and_no_fast_client() -> None:
    """1,000 connections that send their head or body a byte at a time, all open at once
    (the read deadline is set past the test, so none is cut meanwhile): 20 probes of
    /healthz and 10 small articles, one after another, are all answered 200. Before,
    each slow connection held one of a worker's 48 threads, and 100 took the probes
    down."""
    port = free_port()
    env = {"NEWSCLEAN_READ_TIMEOUT": "600"}
    with running(SERVE, env, port=port) as base:
        assert base
        slow: list[socket.socket] = []
        try:
            for n in range(SLOW_CONNECTIONS):
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                # A head-stalling client sends its first byte; a body-stalling one its
                # whole head and the body's first byte.
                sock.sendall(SLOW_HEAD[:1] if n % 2 else SLOW_BODY + b"x")
                slow.append(sock)
            for sent in range(1, 4):  # then three more bytes each, a byte a round
                for n, sock in enumerate(slow):
                    sock.sendall(SLOW_HEAD[sent:sent + 1] if n % 2 else b"x")
                time.sleep(0.5)
            started = time.monotonic()
            probes = [get(port, "/healthz", timeout=10) for _ in range(20)]
            cleaned = [clean(port, f"Fast   client {n}.", timeout=10) for n in range(10)]
            print(f"{SLOW_CONNECTIONS} slow connections open: 20 probes and 10 articles "
                  f"answered in {time.monotonic() - started:.2f} s")
            closed = 0  # slow connections the server closed meanwhile: none should be
            for sock in slow:
                sock.setblocking(False)
                try:
                    closed += sock.recv(1) == b""
                except BlockingIOError:
                    pass  # open, nothing to read: as it should be
                except OSError:
                    closed += 1
        finally:
            for sock in slow:
                sock.close()
        assert probes == [200] * 20, probes
        assert cleaned == [200] * 10, cleaned
        assert closed == 0, f"{closed} slow connections were closed early"
        assert get(port, "/healthz", timeout=10) == 200
    log = log_path(port).read_text(errors="replace")
    assert "Traceback" not in log
    assert "WORKER TIMEOUT" not in log


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def workers_rss_mb(master: int) -> float:
    """The resident memory of every worker of the gunicorn `master`, in MB."""
    total = 0
    for pid in worker_pids(master):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def master_pid(port: int) -> int:
    """The gunicorn master listening on `port` (the one `running` started)."""
    found = re.search(r"Listening at: \S+ \((\d+)\)", log_path(port).read_text(errors="replace"))
    assert found, "no master pid in the log"
    return int(found.group(1))


#: An article of a thousand paragraphs, each printed twice: 1 MB in, a 5 MB answer out
#: (the cleaned text and a diff of 500 removals), in ~0.2 s of cleaning.
TWICE = "\n\n".join([f"Paragraph {n} " + "word " * 200 for n in range(500)] * 2)
READERS = 40
SEND_TIMEOUT = 5


def post_and_never_read(port: int, body: bytes) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # take almost nothing
    sock.settimeout(60)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"POST /clean HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body) + body)
    return sock


@pytest.mark.timeout(600)
def test_readers_that_never_read_are_closed_and_their_memory_comes_back() -> None:
    """40 clients post an article with a 5 MB answer and never read it: each is closed
    at the send deadline with its answer cut short, the service answers probes and other
    clients meanwhile, and the workers' memory returns near where it was. Before, each
    held its answer (and its thread) for as long as it kept the socket open."""
    port = free_port()
    env = {"NEWSCLEAN_SEND_TIMEOUT": str(SEND_TIMEOUT), "NEWSCLEAN_QUEUE_DEPTH": "64"}
    body = json.dumps({"text": TWICE}).encode()
    with running(SERVE, env, port=port):
        master = master_pid(port)
        for _ in range(3):  # warm up both workers: a whole answer, read
            assert clean(port, TWICE, timeout=60) == 200
        baseline = workers_rss_mb(master)
        readers = [post_and_never_read(port, body) for _ in range(READERS)]
        try:
            log = log_path(port)
            deadline = time.monotonic() + 300  # a ceiling for a loaded machine, not a target
            peak = baseline
            probes = []
            while log.read_text(errors="replace").count("was not read within") < READERS:
                assert time.monotonic() < deadline, "the readers were never closed"
                peak = max(peak, workers_rss_mb(master))
                probes.append(get(port, "/healthz", timeout=10))
                time.sleep(0.5)
            assert set(probes) <= {200}, probes
            assert clean(port, "Another   client.", timeout=30) == 200
            for sock in readers:  # now read: what was sent, then the end
                got = b""
                try:
                    while chunk := sock.recv(1 << 16):
                        got += chunk
                except OSError:
                    pass  # reset: as good as closed
                assert len(got) < 5_000_000, "a whole answer went to a client that never read"
        finally:
            for sock in readers:
                sock.close()
        time.sleep(1)
        after = workers_rss_mb(master)
        print(f"workers' RSS: {baseline:.0f} MB before, {peak:.0f} MB at most while "
              f"{READERS} readers held answers, {after:.0f} MB after")
        assert after <= baseline + 50, (baseline, peak, after)
