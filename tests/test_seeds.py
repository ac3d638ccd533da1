"""The golden cases in seeds/: each input cleans to its expected output, exactly."""

from __future__ import annotations

import pytest

from cleaning import clean
from tests.conftest import seed_cases
from tests.patchutil import apply_patch

CASES = seed_cases()


@pytest.mark.parametrize(("name", "raw", "expected", "meta"), CASES, ids=[c[0] for c in CASES])
def test_seed_cleans_to_expected(name: str, raw: str, expected: str, meta: dict[str, object]) -> None:
    title = meta.get("title")
    result = clean(raw, title=title if isinstance(title, str) else None)
    assert result.text == expected
    assert apply_patch(raw, result.diff) == expected
    assert clean(result.text, title=title if isinstance(title, str) else None).text == (
        result.text)
    if meta.get("negative"):
        assert result.removed == []
        assert result.text == raw
    if "removed" in meta:
        assert [r.kind for r in result.removed] == meta["removed"]
    if "rules" in meta:
        assert [r.rule for r in result.removed] == meta["rules"]
    if "runs" in meta:
        assert len(result.runs) == meta["runs"]
    if "headline" in meta:
        assert result.headline == meta["headline"]
    if "fixes" in meta:
        assert sorted({f.step for f in result.fixes}) == meta["fixes"]


def test_reference_sample_reports_one_headline_and_one_run_of_six() -> None:
    _name, raw, expected, _ = next(c for c in CASES if c[0] == "000_20ca18fb463f4b56")
    result = clean(raw)
    assert result.text == expected
    assert [r.kind for r in result.removed].count("repeated_headline") == 1
    assert len(result.runs) == 1
    assert result.runs[0].blocks == 6
    assert result.headline == "DeepSeek's Rise: China's AI Innovation Challenges US Dominance"


def test_at_least_one_negative_seed_per_concern() -> None:
    negatives = [c[0] for c in CASES if c[3].get("negative")]
    assert len(negatives) >= 5
