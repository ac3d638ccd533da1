"""One version, from one place (`newsclean/_version.py`), in everything that shows it: the
command, `/version`, the metrics, the image's label and the changelog; the licence the
metadata declares is the one shipped."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import newsclean_client
from newsclean import __version__
from service import Settings, create_app
from tests.conftest import ROOT

VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")


def changelog_releases() -> list[str]:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", text, re.MULTILINE)


def test_the_version_is_set_in_one_place() -> None:
    assert VERSION_RE.match(__version__)
    for pyproject, path in ((ROOT / "pyproject.toml", "newsclean/_version.py"),
                            (ROOT / "clients" / "python" / "pyproject.toml",
                             "src/newsclean_client/__init__.py")):
        meta = tomllib.loads(pyproject.read_text())
        assert "version" not in meta["project"], pyproject
        assert meta["project"]["dynamic"] == ["version"]
        assert meta["tool"]["hatch"]["version"]["path"] == path
    assert VERSION_RE.match(newsclean_client.__version__)


def test_the_command_says_its_version() -> None:
    run = subprocess.run([sys.executable, "-m", "newsclean", "--version"], capture_output=True,
                         text=True, timeout=60, check=True)
    assert run.stdout.strip() == f"newsclean {__version__}"


def test_the_service_says_its_version() -> None:
    client = create_app(Settings()).test_client()
    assert client.get("/version").get_json()["service"] == __version__
    metrics = client.get("/metrics").get_data(as_text=True)
    assert f'version="{__version__}"' in metrics


def test_the_changelog_tops_with_this_version() -> None:
    releases = changelog_releases()
    assert releases[0] == __version__
    assert newsclean_client.__version__ in releases  # released with the service
    assert releases == sorted(releases, key=lambda v: tuple(map(int, v.split("."))),
                              reverse=True)


def test_the_image_label_is_this_version() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(rf"^ARG VERSION={re.escape(__version__)}$", dockerfile, re.MULTILINE)
    assert 'org.opencontainers.image.version="${VERSION}"' in dockerfile


def test_the_licence_is_shipped_and_is_the_declared_one() -> None:
    for folder in (ROOT, ROOT / "clients" / "python"):
        meta = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
        assert meta["license"] == {"text": "MIT"}
        text = (folder / "LICENSE").read_text()
        assert text.startswith("MIT License\n")
        assert "Copyright (c) 2026 the newsclean authors" in text


def test_the_readme_installs_this_version_from_the_built_files() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Install\n", 1)[1].split("\n## ", 1)[0]
    wheel = f"dist/newsclean-{__version__}-py3-none-any.whl"
    client = f"dist/newsclean_client-{newsclean_client.__version__}-py3-none-any.whl"
    # tests/test_dist.py installs these very files, the same way.
    assert f"pip install {wheel} " in section
    assert f"pip install '{wheel}[server]'" in section
    assert f"pip install {client} " in section
    makefile = (ROOT / "Makefile").read_text()
    assert "uv build --out-dir dist" in makefile
    assert "uv build --package newsclean-client --out-dir dist" in makefile


def test_the_deployments_run_this_version() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    assert compose["services"]["newsclean"]["image"] == f"newsclean:{__version__}"
    deployment = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "deployment.yaml").read_text())
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"newsclean:{__version__}"
