"""What a user installs: the sdists and wheels of `newsclean` and `newsclean-client`, built
with `uv build`, checked with `twine check`, and installed from those files (not editable)
into fresh virtual environments, their dependencies from PyPI.

- the bare wheel (`pip install newsclean-<version>-py3-none-any.whl`): the library and the
  offline commands, nothing of the server;
- the wheel with the extra `server`, and the client's wheel: `newsclean serve` on a spare
  loopback port, cleaning through the client.

Each environment is built once per run (a few hundred MB from PyPI's cache, about a minute
each); `-m "not dist"` leaves them out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import venv
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

import newsclean_client
from newsclean import __version__
from tests.conftest import ROOT, SEEDS
from tests.server import BIN, free_port, running

pytestmark = [pytest.mark.dist, pytest.mark.timeout(1200)]

SEED = SEEDS / "000_20ca18fb463f4b56.txt"
EXPECTED = SEEDS / "000_20ca18fb463f4b56.expected.txt"
WHEEL = f"newsclean-{__version__}-py3-none-any.whl"
CLIENT_WHEEL = f"newsclean_client-{newsclean_client.__version__}-py3-none-any.whl"
#: The server's dependencies, absent from the bare install.
SERVER_MODULES = ("flask", "gunicorn", "redis", "prometheus_client", "orjson")


def run(argv: Sequence[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a command to its end, its output kept for the assertion that fails."""
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True,
                          timeout=900, check=False, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{argv}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four distributions, built from this checkout."""
    out = tmp_path_factory.mktemp("dist")
    uv = BIN / "uv" if (BIN / "uv").exists() else shutil.which("uv")
    assert uv, "uv is not installed: make install"
    run([uv, "build", "--out-dir", out], cwd=ROOT)
    run([uv, "build", "--package", "newsclean-client", "--out-dir", out], cwd=ROOT)
    return out


def fresh_venv(path: Path, *requirements: str) -> Path:
    """A new virtual environment at `path` with `requirements` pip-installed into it; its
    bin folder."""
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    bin_dir = path / "bin"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV")}
    run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         *requirements], env=env, cwd=path)
    return bin_dir


def isolated(bin_dir: Path) -> dict[str, str]:
    """The environment for a process of that venv: nothing of this checkout on its path."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PROMETHEUS_MULTIPROC_DIR")}
    env["PATH"] = f"{bin_dir}:{env.get('PATH', '')}"
    return env


def size_mb(path: Path) -> int:
    return int(run(["du", "-sm", path]).stdout.split()[0])


def test_the_distributions_are_built_and_pass_twine_check(dist: Path) -> None:
    built = sorted(p for p in dist.iterdir() if not p.name.startswith("."))  # uv's .gitignore
    names = [p.name for p in built]
    assert names == sorted([WHEEL, f"newsclean-{__version__}.tar.gz", CLIENT_WHEEL,
                            f"newsclean_client-{newsclean_client.__version__}.tar.gz"])
    run([BIN / "twine", "check", "--strict", *built])
    with zipfile.ZipFile(dist / WHEEL) as wheel:
        files = set(wheel.namelist())
    packages = {name.split("/")[0] for name in files if not name.endswith(".dist-info/")}
    assert packages == {"cleaning", "newsclean", "newsindex", "service",
                        f"newsclean-{__version__}.dist-info"}
    assert f"newsclean-{__version__}.dist-info/licenses/LICENSE" in files
    with tarfile.open(dist / f"newsclean-{__version__}.tar.gz") as sdist:
        in_sdist = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    # The sdist builds the same wheel: every module of it, and the licence and changelog.
    assert {name for name in files if ".dist-info/" not in name} <= in_sdist
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= in_sdist


def test_the_bare_wheel_is_the_library_and_the_offline_commands(
        dist: Path, tmp_path: Path) -> None:
    bin_dir = fresh_venv(tmp_path / "bare", str(dist / WHEEL))
    env = isolated(bin_dir)
    probe = ("import importlib.util, cleaning, newsclean; "
             "print(newsclean.__file__); "
             f"print([m for m in {SERVER_MODULES!r} if importlib.util.find_spec(m)])")
    where, present = run([bin_dir / "python", "-c", probe], env=env,
                         cwd=tmp_path).stdout.splitlines()
    assert Path(where).is_relative_to(tmp_path / "bare")  # the installed copy, not this one
    assert present == "[]"
    cleaned = run([bin_dir / "newsclean", "clean", SEED], env=env, cwd=tmp_path)
    assert cleaned.stdout == EXPECTED.read_text(encoding="utf-8")
    version = run([bin_dir / "newsclean", "--version"], env=env, cwd=tmp_path)
    assert version.stdout.strip() == f"newsclean {__version__}"
    serve = subprocess.run([bin_dir / "newsclean", "serve"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=60, check=False)
    assert serve.returncode == 2
    assert "pip install 'newsclean[server]'" in serve.stderr
    load = subprocess.run([bin_dir / "newsclean", "index", "load", SEED, "--namespace", "n"],
                          env={**env, "REDIS_URL": "redis://127.0.0.1:1/0"}, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)
    assert (load.returncode, "Traceback" in load.stderr) == (2, False), load.stderr
    assert "pip install 'newsclean[server]'" in load.stderr
    print(f"bare venv: {size_mb(tmp_path / 'bare')} MB")


def test_the_server_wheel_serves_and_the_client_wheel_cleans_through_it(
        dist: Path, tmp_path: Path) -> None:
    bin_dir = fresh_venv(tmp_path / "server", f"{dist / WHEEL}[server]",
                         str(dist / CLIENT_WHEEL))
    env = isolated(bin_dir)
    port = free_port()
    assert port != 8000
    with running([str(bin_dir / "newsclean"), "serve", "--bind", f"127.0.0.1:{port}",
                  "--workers", "1"], env, port=port, cwd=tmp_path) as base:
        probe = f"""
import sys
from pathlib import Path
from newsclean_client import Client
with Client({base!r}, timeout=60) as client:
    result = client.clean(Path({str(SEED)!r}).read_text(encoding="utf-8"), id="seed-000")
sys.stdout.write(result.text)
"""
        cleaned = run([bin_dir / "python", "-c", probe], env=env, cwd=tmp_path)
        assert cleaned.stdout == EXPECTED.read_text(encoding="utf-8")
        version = run([bin_dir / "python", "-c",
                       f"import urllib.request; print(urllib.request.urlopen({base!r} + "
                       "'/version').read().decode())"], env=env, cwd=tmp_path)
        assert f'"service":"{__version__}"' in version.stdout.replace(" ", "")
    print(f"server venv (with the client): {size_mb(tmp_path / 'server')} MB")
