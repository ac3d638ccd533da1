"""Apply a diff with the real GNU patch, as a caller would."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def apply_patch(original: str, diff: str, *, binary: bool = True) -> str:
    """The text GNU patch makes of `original` with `diff` applied."""
    if not diff:
        return original
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "article.txt"
        src.write_bytes(original.encode("utf-8"))
        patch = Path(tmp) / "change.diff"
        patch.write_bytes(diff.encode("utf-8"))
        args = ["patch", "--quiet", "--force", str(src), str(patch)]
        if binary:
            args.insert(1, "--binary")
        run = subprocess.run(args, capture_output=True, timeout=60, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        return src.read_bytes().decode("utf-8")
