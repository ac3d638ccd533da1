"""The index on a real Redis Cluster: six local redis-server processes (three masters,
three replicas), two newsclean servers sharing one index, and a manual failover of the
namespace's shard in the middle of a run."""

from __future__ import annotations

import json
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.server import BIN, START_CEILING, free_port, post_json, request, running

pytestmark = [pytest.mark.redis, pytest.mark.e2e]

NAMESPACE = "wire"


@pytest.fixture(scope="module")
def cluster() -> Iterator[list[int]]:
    server = shutil.which("redis-server")
    if server is None or shutil.which("redis-cli") is None:
        pytest.skip("redis-server and redis-cli are not installed")
    folder = Path(tempfile.mkdtemp(prefix="nc-cluster-"))
    ports = [cluster_port() for _ in range(6)]
    procs = []
    for port in ports:
        node = folder / str(port)
        node.mkdir()
        procs.append(subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
             "--cluster-config-file", str(node / "nodes.conf"), "--cluster-node-timeout",
             "2000", "--save", "", "--appendonly", "no", "--dir", str(node)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        for port in ports:
            wait_for(lambda p=port: redis.Redis(port=p).ping())  # type: ignore[misc]
        subprocess.run(["redis-cli", "--cluster", "create",
                        *(f"127.0.0.1:{p}" for p in ports), "--cluster-replicas", "1",
                        "--cluster-yes"], check=True, capture_output=True, timeout=60)
        for port in ports:
            wait_for(lambda p=port: b"cluster_state:ok" in  # type: ignore[misc]
                     redis.Redis(port=p).execute_command("CLUSTER", "INFO"))
        # Every shard has its replica, and each replica is in sync with its master.
        wait_for(lambda: all(len(entry) > 3 for entry in
                             redis.Redis(port=ports[0]).execute_command("CLUSTER", "SLOTS")))
        for port in ports:
            wait_for(lambda p=port: (info := redis.Redis(port=p).info("replication"))  # type: ignore[misc]
                     ["role"] == "master" or info.get("master_link_status") == "up")
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def cluster_port() -> int:
    """A free port whose cluster bus port (10000 above it) is free and valid too."""
    while True:
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


def wait_for(check: object, timeout: float = START_CEILING) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():  # type: ignore[operator]
                return
        except redis.RedisError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the cluster did not come up")
        time.sleep(0.1)


def story(n: int) -> str:
    """An article of its own: words no other article of the run has."""
    rng = random.Random(n)
    words = [f"{rng.choice('bdfgklmnprst')}{rng.choice('aeiou')}{rng.randrange(10**6)}"
             for _ in range(90)]
    return "\n\n".join([f"Story {n}", *(" ".join(words[i:i + 15]) + "."
                                         for i in range(0, 90, 15))])


def shard_of(ports: list[int], namespace: str) -> tuple[int, int]:
    """(master port, replica port) of the slot the namespace's keys hash to."""
    client = redis.Redis(port=ports[0])
    slot = client.execute_command("CLUSTER", "KEYSLOT", f"{{{namespace}}}")
    for start, end, master, *replicas in client.execute_command("CLUSTER", "SLOTS"):
        if start <= slot <= end:
            return int(master[1]), int(replicas[0][1])
    raise AssertionError("no node serves the slot")


def test_two_servers_share_a_cluster_index_through_a_failover(cluster: list[int]) -> None:
    env = {"REDIS_URL": f"redis://127.0.0.1:{cluster[0]}/0", "NEWSCLEAN_REDIS_CLUSTER": "true",
           "NEWSCLEAN_REDIS_TIMEOUT": "1", "WEB_CONCURRENCY": "1"}
    cmd = [str(BIN / "newsclean"), "serve"]
    master, replica = shard_of(cluster, NAMESPACE)
    answers: dict[int, tuple[int, dict[str, object]]] = {}
    total = 240
    with running(cmd, env) as one, running(cmd, env) as two:
        def send(start: int, step: int) -> None:
            for n in range(start, total, step):
                base = one if n % 2 else two
                status, body = post_json(base + "/clean", {
                    "text": story(n), "id": f"s{n}", "diff": False,
                    "index": {"namespace": NAMESPACE}})
                answers[n] = (status, body.get("index", body))
                time.sleep(0.01)

        senders = [threading.Thread(target=send, args=(k, 4)) for k in range(4)]
        for sender in senders:
            sender.start()
        wait_for(lambda: len(answers) >= total // 3)
        subprocess.run(["redis-cli", "-p", str(replica), "CLUSTER", "FAILOVER"], check=True,
                       capture_output=True, timeout=10)
        wait_for(lambda: redis.Redis(port=replica).role()[0] == b"master")
        for sender in senders:
            sender.join(120)
        assert redis.Redis(port=master).role()[0] == b"slave"  # the failover did happen
        failed = {n: a for n, a in answers.items()
                  if a[0] != 200 or a[1].get("status") != "ok" or not a[1].get("added")}
        assert failed == {}
        assert len(answers) == total
        # Nothing lost: every article is in the index, and each finds itself only.
        stats = namespace_stats(two)
        assert stats["articles"] == total
        for n in range(0, total, 7):
            status, body = post_json(one + "/clean", {
                "text": story(n), "id": "probe", "index": {"namespace": NAMESPACE,
                                                           "mode": "query"}})
            assert status == 200
            assert [m["id"] for m in body["index"]["matches"]] == [f"s{n}"]


def namespace_stats(base: str) -> dict[str, object]:
    status, _, body = request("GET", f"{base}/index/{NAMESPACE}/stats")
    assert status == 200
    return json.loads(body)  # type: ignore[no-any-return]
