"""Shared fixtures: where the seeds and the shared evaluation corpus live."""

from __future__ import annotations

import importlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings

# Under CI, every hypothesis test draws the same examples on every run (a seed derived from
# the test): CI holds a fixed set of inputs, which a commit passes or fails for good. The
# long campaigns, run by hand with NEWSCLEAN_FUZZ_EXAMPLES, explore at random.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


def seed_cases() -> list[tuple[str, str, str, dict[str, object]]]:
    """(name, input, expected, meta) for every golden case in seeds/."""
    cases = []
    for raw in sorted(SEEDS.glob("*.txt")):
        if raw.name.endswith(".expected.txt"):
            continue
        expected = raw.with_name(raw.stem + ".expected.txt")
        meta_path = raw.with_suffix(".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        cases.append((raw.stem, raw.read_bytes().decode("utf-8"),
                      expected.read_bytes().decode("utf-8"), meta))
    return cases


@pytest.fixture(autouse=True)
def own_index_file(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own embedded index file, in this process and in the servers it
    starts: the default (one file in the temporary directory) is shared by every server
    of the user, other test runs included."""
    path = str(tmp_path_factory.mktemp("index") / "index.sqlite3")
    monkeypatch.setenv("NEWSCLEAN_INDEX_PATH", path)
    monkeypatch.setattr("newsindex.index.default_path", lambda: path)


@pytest.fixture(scope="session")
def corpus() -> list[dict[str, object]]:
    path = SHARED / "corpus" / "articles.jsonl"
    if not path.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def integration(module: str) -> ModuleType:
    """Import one of the heavy integrations (the `integrations` group: `make install-all`),
    or skip the test without it; under CI=true, which installs them, fail instead."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {module} is not installed: .ci/run runs make install-all")
        pytest.skip(f"{module} is not installed: make install-all", allow_module_level=True)


@pytest.fixture(scope="module")
def redis_url() -> str:
    """The machine's Redis (127.0.0.1:6379), or a skip without one (a failure under CI)."""
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no Redis answers on 127.0.0.1:6379")
        pytest.skip("no Redis server answers on 127.0.0.1:6379")
    return url


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of the test's own in that Redis; its keys are deleted after."""
    import redis

    name = f"nctest-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{name}*", count=1000))
    if keys:
        client.delete(*keys)
