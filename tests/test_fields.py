"""The fields mean what they say: `changed` is a change of content, layout apart; the
rule that decided travels from the library to the API, its schema, the client and the
batch columns."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os

import pytest
from flask.testing import FlaskClient

from cleaning import clean
from cleaning.batch import OUTPUT_COLUMNS, CleanBatch
from cleaning.result import LAYOUT_STEPS
from newsclean_client import models
from service import Settings, create_app
from service.openapi import SCHEMAS
from tests.conftest import SHARED

EXTRACTOR_OUTPUTS = SHARED / "corpus" / "extractor_outputs.jsonl.gz"
REPEATED = "Storm hits the coast\n\nStorm hits the coast\n\nRain fell all night.\n"


def extractor_texts() -> list[str]:
    if not EXTRACTOR_OUTPUTS.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {EXTRACTOR_OUTPUTS} is absent: CI has ../shared")
        pytest.skip("../shared/corpus is not beside this checkout")
    with gzip.open(EXTRACTOR_OUTPUTS, "rt", encoding="utf-8") as lines:
        return [json.loads(line)["text"] for line in lines]


def test_changed_is_a_change_of_content_on_real_extractor_outputs() -> None:
    texts = extractor_texts()
    assert len(texts) == 1078
    counts = {"changed": 0, "layout": 0, "same": 0}
    for text in texts:
        result = clean(text)
        content = (bool(result.removed)
                   or any(f.step not in LAYOUT_STEPS for f in result.fixes)
                   or result.text.split() != text.split())
        assert result.changed is content, text[:80]
        assert result.layout_changed is (not content and result.text != text)
        counts["changed" if content else "layout" if result.layout_changed else "same"] += 1
    # Before, `changed` was true for 972 of them: 854 had their layout normalised alone.
    assert counts["changed"] < 200 < counts["layout"]


@pytest.mark.parametrize(("text", "changed", "layout"), [
    ("Rain fell.\n", False, False),
    ("Rain fell.", False, True),                       # the final newline alone
    ("Rain  fell.  \r\n\r\n\r\nIt stopped.", False, True),  # spaces and line ends alone
    ("Rain fell &amp; stopped.\n", True, False),       # a repair
    ("Rain fell.\n\nRain fell.\n", True, False),       # a removal
])
def test_changed_and_layout_changed(text: str, changed: bool, layout: bool) -> None:
    result = clean(text)
    assert (result.changed, result.layout_changed) == (changed, layout)
    assert result.to_dict()["changed"] is changed
    assert result.to_dict()["layout_changed"] is layout


@pytest.fixture
def client() -> FlaskClient:
    return create_app(Settings()).test_client()


def test_the_api_answers_changed_and_layout_changed(client: FlaskClient) -> None:
    body = client.post("/clean", json={"text": "Rain  fell."}).get_json()
    assert (body["changed"], body["layout_changed"]) == (False, True)
    body = client.post("/clean", json={"text": REPEATED}).get_json()
    assert (body["changed"], body["layout_changed"]) == (True, False)
    assert "rule" in body["removed"][0]


def test_the_schema_names_the_rule_and_layout_changed() -> None:
    assert "rule" in SCHEMAS["Removal"]["properties"]
    assert "rule" in SCHEMAS["KeptSimilar"]["properties"]
    assert "layout_changed" in SCHEMAS["CleanResponse"]["required"]


def test_the_client_types_carry_rule_and_layout_changed() -> None:
    assert "rule" in {f.name for f in dataclasses.fields(models.Removal)}
    assert "rule" in {f.name for f in dataclasses.fields(models.KeptSimilar)}
    assert "layout_changed" in {f.name for f in dataclasses.fields(models.CleanResult)}


def test_the_batch_columns_carry_layout_changed_and_rules() -> None:
    out = CleanBatch()({"text": [REPEATED, "Rain fell."]})
    assert {"layout_changed", "rules"} <= set(OUTPUT_COLUMNS)
    assert out["changed"] == [True, False]
    assert out["layout_changed"] == [False, True]
    assert out["rules"][0] == f"{clean(REPEATED).removed[0].rule}:1"
    assert out["rules"][0] != ":1"  # the rule has a name
