"""The README is true: its quick start is what CI runs, and it documents every setting."""

from __future__ import annotations

import re

from newsclean import __version__
from service.settings import ENV, Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("#")[0].strip() for line in block.strip().splitlines()]


def test_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    commands = quick_start()
    assert commands == ["make serve", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\s*make test\s*$", ci, re.MULTILINE)
    assert "make serve" in ci  # CI starts the service the way the README says
    makefile = (ROOT / "Makefile").read_text()
    assert "uv sync --frozen" in makefile  # they install what they need, from the lock file
    # The same uv resolves the lock file for the tests and for the image.
    dockerfile = (ROOT / "Dockerfile").read_text()
    pins = {re.search(r"uv==([\d.]+)", text).group(1)  # type: ignore[union-attr]
            for text in (makefile, dockerfile)}
    assert len(pins) == 1, pins


def test_every_setting_is_in_the_readme_table() -> None:
    table = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", table, re.MULTILINE))
    variables = {name for name, _ in ENV.values()}
    assert variables <= documented, f"undocumented: {variables - documented}"
    defaults = Settings()
    for field, (name, _) in ENV.items():
        row = re.search(rf"^\| `{name}` \| `?([^|`]*)`? \|", table, re.MULTILINE)
        assert row, name
        value = getattr(defaults, field)
        if isinstance(value, bool):
            assert row.group(1) == str(value).lower(), name
        elif row.group(1) != "(empty)":
            assert float(row.group(1)) == value if isinstance(value, (int, float)) else (
                row.group(1) == value), name


def test_readme_curl_example_is_the_sample() -> None:
    assert "--data-binary @seeds/000_20ca18fb463f4b56.txt" in README
    assert "blocks 11-16 repeat blocks 5-10" in README


def test_the_image_carries_its_oci_labels() -> None:
    import tomllib

    dockerfile = (ROOT / "Dockerfile").read_text()
    labels = dict(re.findall(r'(org\.opencontainers\.image\.[a-z.]+)="([^"]*)"', dockerfile))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {"title", "description", "version", "revision", "licenses", "base.name"} == {
        k.removeprefix("org.opencontainers.image.") for k in labels}
    assert labels["org.opencontainers.image.licenses"] == project["license"]["text"]
    default_version = re.search(r"^ARG VERSION=(\S+)$", dockerfile, re.MULTILINE)
    assert default_version is not None
    assert default_version.group(1) == __version__
    assert labels["org.opencontainers.image.description"] == project["description"]


def test_every_rule_is_a_row_of_the_readme_table_with_its_pass() -> None:
    from cleaning.rules import RULES_IN_ORDER

    table = README.split("### The rules", 1)[1].split("\n### ", 1)[0]
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([a-z_]+) \|", table, re.MULTILINE))
    assert rows == {rule.name: rule.kind or "keeps" for rule in RULES_IN_ORDER}
