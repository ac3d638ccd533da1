"""newsclean's command and offline tools: `newsclean clean`, `backfill` (JSONL or Parquet,
on processes or on Ray), `fingerprint` and `index load|migrate` (`newsclean.bulk`).

Only `newsclean serve` needs the HTTP service (`service`, the `server` extra); the rest
runs on the library (`cleaning`) alone.
"""

from newsclean._version import __version__

__all__ = ["__version__"]
