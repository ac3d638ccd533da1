"""The layout shows the products: `cleaning` (the library), `newsclean` (the command and
offline tools), `newsindex` (the index's storage engine) and `service` (the HTTP layer).
Only `service` imports the server's dependencies; the others never import `service`."""

from __future__ import annotations

import subprocess
import sys

import pytest

SERVER = ("flask", "werkzeug", "gunicorn", "prometheus_client", "orjson", "service")


@pytest.mark.parametrize("modules", [
    "cleaning, cleaning.batch",
    "newsclean, newsclean.cli, newsclean.backfill, newsclean.bulk",
    "newsindex, newsindex.index, newsindex.lsh",
])
def test_the_packages_beside_the_service_import_nothing_of_it(modules: str) -> None:
    probe = (f"import sys, {modules}; "
             f"print(sorted(m for m in {SERVER!r} if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60, check=True)
    assert run.stdout.strip() == "[]"
