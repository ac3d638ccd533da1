"""newsclean_client against the real service on a loopback port, through a proxy that
injects faults (tests/fault_proxy.py): resets mid-stream, 503 with Retry-After, delays."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

from cleaning import clean
from newsclean_client import (
    AsyncClient,
    CleanResult,
    Client,
    ItemError,
    Retry,
    ServiceError,
    ServiceUnreachable,
    models,
)
from service.openapi import SCHEMAS
from tests.fault_proxy import Delay, FaultProxy, Reply, ResetAfterLines
from tests.server import BIN, free_port, running

pytestmark = pytest.mark.e2e

SERVE = [str(BIN / "newsclean"), "serve", "--workers", "1"]
MAX_BODY = 120_000  # the test server's body limit: small, to reach 413 cheaply
FAST = Retry(attempts=5, backoff=0.05, max_backoff=0.2)

PARAGRAPHS = [
    "The council voted on Tuesday to close the old bridge to traffic for repairs.",
    "Engineers found cracks in two of the supports during an inspection last month.",
    "The work is expected to take eight months and cost about 4 million euros.",
]


def article(n: int) -> str:
    """An article of its own, with its second paragraph pasted twice."""
    body = [f"{p} Case {n}." for p in PARAGRAPHS]
    return "\n\n".join([f"Bridge {n} closes for repairs", *body, body[1]]) + "\n"


def articles(count: int) -> list[dict[str, typing.Any]]:
    return [{"text": article(n), "id": f"a-{n}"} for n in range(count)]


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[str, int]]:
    port = free_port()
    with running(SERVE, {"NEWSCLEAN_MAX_BODY_BYTES": str(MAX_BODY)}, port=port) as base:
        yield base, port


def proxy(service: tuple[str, int], *faults: typing.Any, raw: bool = False) -> FaultProxy:
    return FaultProxy(service[1], list(faults), relay_raw=raw)


def ids_of(outcomes: list[typing.Any]) -> list[typing.Any]:
    return [o.id for o in outcomes]


# ---------------------------------------------------------------------- results


def test_clean_returns_the_library_result_typed(service: tuple[str, int]) -> None:
    text = article(1)
    with Client(service[0]) as client:
        result = client.clean(text, title="Bridge 1 closes for repairs", id=7, diff=True)
    expected = clean(text, title="Bridge 1 closes for repairs")
    assert isinstance(result, CleanResult)
    assert result.text == expected.text
    assert result.id == 7
    assert result.removed_by_kind() == {"duplicate": 1}  # the pasted paragraph
    assert isinstance(result.removed[0], models.Removal)
    assert isinstance(result.stats, models.Stats)
    assert (result.diff or "").startswith("---")


def test_every_model_field_is_in_the_service_schema() -> None:
    for model, schema in [(models.CleanResult, "CleanResponse"), (models.Removal, "Removal"),
                          (models.Run, "Run"), (models.KeptSimilar, "KeptSimilar"),
                          (models.Fix, "Fix"), (models.Stats, "Stats"),
                          (models.IndexMatch, "IndexMatch"),
                          (models.IndexResult, "IndexResult"),
                          (models.ErrorDetail, "ErrorDetail")]:
        names = {f.name for f in dataclasses.fields(model)}
        properties = set(SCHEMAS[schema]["properties"])
        assert names == properties, (model.__name__, names ^ properties)
        # A field the service always sends has no default here, and the other way round.
        required = set(SCHEMAS[schema].get("required", properties))
        no_default = {f.name for f in dataclasses.fields(model)
                      if f.default is dataclasses.MISSING
                      and f.default_factory is dataclasses.MISSING}
        assert no_default <= required, (model.__name__, no_default - required)


def test_clean_many_yields_in_order_with_errors_in_place(service: tuple[str, int]) -> None:
    items: list[typing.Any] = articles(25)
    items[3] = {"text": "x", "id": "bad-option", "options": {"num_perm": -1}}
    items[11] = {"id": "no-text"}
    with Client(service[0]) as client:
        outcomes = list(client.clean_many(items, batch_size=4, concurrency=3))
    assert ids_of(outcomes) == [item.get("id") for item in items]
    errors = {o.position: o.error.code for o in outcomes if isinstance(o, ItemError)}
    assert errors == {3: "bad_option", 11: "missing_text"}
    assert all(o.error.status == 400 for o in outcomes if isinstance(o, ItemError))
    assert outcomes[0].text == clean(items[0]["text"]).text  # type: ignore[union-attr]


# ---------------------------------------------------------------------- connections


def test_requests_share_one_pooled_connection(service: tuple[str, int]) -> None:
    relay = proxy(service, raw=True)
    with relay.running() as base, Client(base) as client:
        for n in range(30):
            client.clean(article(n))
        list(client.clean_many(articles(40), batch_size=10, concurrency=1))
    assert relay.connections == 1


# ---------------------------------------------------------------------- retries


def test_retry_after_is_waited_for(service: tuple[str, int]) -> None:
    relay = proxy(service, Reply(503, retry_after=1), Reply(503, retry_after=1))
    with relay.running() as base, Client(base, retries=FAST) as client:
        result = client.clean(article(1))
    assert result.text == clean(article(1)).text
    gaps = [b.at - a.at for a, b in zip(relay.seen, relay.seen[1:], strict=False)]
    assert len(relay.seen) == 3
    assert all(gap >= 1.0 for gap in gaps), gaps


def test_backoff_without_retry_after_grows(service: tuple[str, int]) -> None:
    policy = Retry(attempts=4, backoff=0.2, max_backoff=5)
    relay = proxy(service, Reply(502, "bad_gateway"), Reply(502, "bad_gateway"),
                  Reply(502, "bad_gateway"))
    with relay.running() as base, Client(base, retries=policy) as client:
        client.clean(article(1))
    gaps = [b.at - a.at for a, b in zip(relay.seen, relay.seen[1:], strict=False)]
    # Waits are drawn from [backoff * 2**n / 2, backoff * 2**n]: 0.1-0.2, 0.2-0.4, 0.4-0.8.
    assert [round(g, 1) >= 0.1 * 2**n for n, g in enumerate(gaps)] == [True] * 3, gaps
    assert gaps[2] < 2.0


@pytest.mark.parametrize(("text", "options", "status"), [
    ("short", {"num_perm": -1}, 400),               # an option out of range
    ("x" * (MAX_BODY + 1), None, 413),               # a body over the limit
])
def test_no_retry_on_a_client_error(service: tuple[str, int], text: str,
                                     options: dict[str, int] | None, status: int) -> None:
    relay = proxy(service)
    with relay.running() as base, Client(base, retries=FAST) as client, \
            pytest.raises(ServiceError) as raised:
        client.clean(text, options=options)
    assert raised.value.error.status == status
    assert len(relay.seen) == 1


def test_injected_4xx_is_not_retried_either(service: tuple[str, int]) -> None:
    relay = proxy(service, Reply(422, "not_text"))
    with relay.running() as base, Client(base, retries=FAST) as client, \
            pytest.raises(ServiceError, match="422 not_text"):
        client.clean(article(1))
    assert len(relay.seen) == 1


def test_a_timeout_is_retried(service: tuple[str, int]) -> None:
    relay = proxy(service, Delay(1.5))
    with relay.running() as base, Client(base, timeout=0.5, retries=FAST) as client:
        result = client.clean(article(2))
    assert result.text == clean(article(2)).text
    assert len(relay.seen) == 2


def test_unreachable_raises_after_the_retries() -> None:
    port = free_port()  # nothing listens there
    with Client(f"http://127.0.0.1:{port}", retries=Retry(attempts=3, backoff=0.01)) as client:
        with pytest.raises(ServiceUnreachable, match="after 3 tries"):
            client.clean("text")
        with pytest.raises(ServiceUnreachable):
            list(client.clean_many(["a", "b"]))


# ---------------------------------------------------------------------- batches


def test_a_broken_stream_resends_only_the_unanswered(service: tuple[str, int]) -> None:
    items = articles(60)
    relay = proxy(service, ResetAfterLines(7), Reply(503, retry_after=0), ResetAfterLines(5))
    with relay.running() as base, Client(base, retries=FAST) as client:
        outcomes = list(client.clean_many(items, batch_size=20, concurrency=1))
    assert ids_of(outcomes) == [item["id"] for item in items]
    assert all(isinstance(o, CleanResult) for o in outcomes)
    assert [o.text for o in outcomes] == [clean(i["text"]).text for i in items]  # type: ignore[union-attr]
    sent = [[line["id"] for line in seen.lines] for seen in relay.seen]
    assert sent[0] == [f"a-{n}" for n in range(20)]
    # After the reset at 7 (then a 503), the 13 unanswered; reset again after 5 of them.
    assert sent[1] == sent[2] == [f"a-{n}" for n in range(7, 20)]
    assert sent[3] == [f"a-{n}" for n in range(12, 20)]
    assert sent[4:] == [[f"a-{n}" for n in range(20, 40)], [f"a-{n}" for n in range(40, 60)]]
    every_id_sent_to_be_answered = [i for s in sent for i in s]
    assert sorted(set(every_id_sent_to_be_answered)) == sorted(ids_of(outcomes))


def test_async_client_survives_resets_and_overload(service: tuple[str, int]) -> None:
    items = articles(90)
    faults = [ResetAfterLines(3), Reply(503, retry_after=1), Delay(0.3), ResetAfterLines(1),
              Reply(503, retry_after=0)]
    relay = proxy(service, *faults)

    async def run() -> list[typing.Any]:
        async def source() -> typing.AsyncIterator[dict[str, typing.Any]]:
            for item in items:
                yield item
        async with AsyncClient(relay_base, retries=FAST) as client:
            return [o async for o in client.clean_many(source(), batch_size=10,
                                                        concurrency=3)]

    with relay.running() as relay_base:
        outcomes = asyncio.run(run())
    assert ids_of(outcomes) == [item["id"] for item in items]
    assert all(isinstance(o, CleanResult) for o in outcomes)
    assert not relay.script  # every fault was met


def test_items_past_the_request_time_are_sent_again() -> None:
    """The real service, with a request time shorter than a batch takes: it answers the
    items it had no time for with 503 request_time_spent (retry_after 0); the client sends
    those, only those, again."""
    port = free_port()
    env = {"NEWSCLEAN_ARTICLE_TIMEOUT": "0.05", "NEWSCLEAN_REQUEST_TIMEOUT": "0.06"}
    big = [{"text": "\n\n".join(article(n + k) for k in range(40)), "id": n} for n in range(12)]
    with running(SERVE, env, port=port):
        relay = FaultProxy(port)
        with relay.running() as relay_base, Client(relay_base, retries=20) as client:
            outcomes = list(client.clean_many(big, batch_size=12, concurrency=1))
    assert ids_of(outcomes) == list(range(12))
    assert all(isinstance(o, CleanResult) for o in outcomes), outcomes
    assert len(relay.seen) > 1  # the request's time did run out
    assert len(relay.seen[1].lines) < 12


def test_a_batch_over_the_body_limit_is_split(service: tuple[str, int]) -> None:
    items = [{"text": article(n) * 60, "id": n} for n in range(8)]  # ~19 KB each
    items.append({"text": "y " * MAX_BODY, "id": "huge"})
    relay = proxy(service)
    with relay.running() as base, Client(base, retries=FAST) as client:
        outcomes = list(client.clean_many(items, batch_size=9, concurrency=1))
    assert ids_of(outcomes) == [item["id"] for item in items]
    assert all(isinstance(o, CleanResult) for o in outcomes[:8])
    huge = outcomes[8]
    assert isinstance(huge, ItemError)
    assert (huge.error.status, huge.position) == (413, 8)


def test_a_wrong_key_raises_instead_of_failing_every_item() -> None:
    port = free_port()
    with running(SERVE, {"NEWSCLEAN_API_KEYS": "right"}, port=port) as base:
        with Client(base, api_key="wrong") as client, pytest.raises(ServiceError, match="401"):
            list(client.clean_many(["a"]))
        with Client(base, api_key="right") as client:
            assert [o.text for o in client.clean_many(["a"])] == [clean("a").text]  # type: ignore[union-attr]


def test_the_client_installs_alone(tmp_path: Path) -> None:
    """A pipeline installs the client without the service: httpx and what it needs only."""
    uv = Path(sys.executable).parent / "uv"
    venv = tmp_path / "venv"
    subprocess.run([str(uv), "venv", "--quiet", str(venv)], check=True)
    client_dir = Path(__file__).resolve().parent.parent / "clients" / "python"
    subprocess.run([str(uv), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
                    str(client_dir)], check=True)
    listed = subprocess.run([str(uv), "pip", "freeze", "--python", str(venv / "bin" / "python")],
                            check=True, capture_output=True, text=True).stdout
    names = {line.split("==")[0].split(" @ ")[0].lower() for line in listed.splitlines()}
    assert "httpx" in names
    assert not names & {"flask", "gunicorn", "ftfy", "datasketch", "scipy", "numpy", "newsclean"}
    probe = "import newsclean_client, sys; print(sorted(m for m in ('cleaning', 'service', 'flask') if m in sys.modules))"
    out = subprocess.run([str(venv / "bin" / "python"), "-c", probe], check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "[]"
