"""The embedded default store: the index's layout in one SQLite file that every worker
process of a server shares, so one history gives one answer whichever worker answers.

The file holds Redis' hashes as rows (`hashes`: key, field, value) and their expiry
(`expiry`: key, Unix time), and `newsindex.lsh.HashStore` runs the Redis scripts' steps on
them, each operation in one transaction: a query with its add sees and changes the index
at once, as the script does in Redis. Keys expire as in Redis: an expired key reads as
absent at once, and its rows are deleted a few keys at a time by the writers.

Several processes write through SQLite's write-ahead log (WAL): readers never wait for the
writer, writers take turns, each waiting at most `BUSY_SECONDS` for the others. For
several servers, point them all at one Redis (`REDIS_URL`) instead: a file is one
machine's.

    >>> import tempfile, os
    >>> store = SqliteStore(os.path.join(tempfile.mkdtemp(), "ix.sqlite3"))
    >>> store.kind, store.scope
    ('sqlite', 'instance')
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from newsindex.lsh import HashStore

#: How long an operation waits for another process's write before the index answers
#: "unavailable" for that request: a write holds the file for about a millisecond and a
#: bulk load's batch of 500 for a few tenths of a second; a request never waits longer.
BUSY_SECONDS = 1.0
#: Expired keys whose rows one sweep deletes (at most one sweep a second a process): a
#: shard key of a full time bucket has ~500 rows, so a sweep stays at a few tens of
#: milliseconds of a writer's time, and a time bucket's 4,099 keys are gone in ~1 minute.
SWEEP_KEYS = 64

#: Bytes of write-ahead log kept on disk after a checkpoint: SQLite's checkpoint interval
#: (1,000 pages), as 4,000 pages measured no faster (noise on a loaded machine either way).
LOG_BYTES = 4 * 2**20

SCHEMA = """
CREATE TABLE IF NOT EXISTS hashes (
    key TEXT NOT NULL, field BLOB NOT NULL, value BLOB NOT NULL,
    PRIMARY KEY (key, field)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS expiry (key TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS expiry_at ON expiry (at);
"""


def default_path() -> str:
    """Where the index file is when NEWSCLEAN_INDEX_PATH is empty: a folder of this user's
    in the temporary directory, so that every server of one user on one machine (and
    every worker of each) shares it, and nothing else can read it."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return os.path.join(tempfile.gettempdir(), f"newsclean-{uid}", "index.sqlite3")


class SqliteHashes:
    """`newsindex.lsh.Hashes` in a SQLite file. One connection a process (opened in the
    process that uses it: a connection never crosses a fork), its threads taking turns."""

    def __init__(self, path: str, busy: float = BUSY_SECONDS, *, private: bool = False) -> None:
        """`private`: the file's folder must be this user's alone (the default path, in a
        temporary directory others write to); another's folder there is refused."""
        self.path = path
        self.busy = busy
        self.private = private
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._clock = 0.0  # the transaction's time: one clock for all it reads
        self._renewed: set[str] = set()  # keys written in this transaction already

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            folder = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(folder, mode=0o700, exist_ok=True)
            if self.private:
                owner = os.stat(folder)
                if hasattr(os, "getuid") and (owner.st_uid != os.getuid()
                                              or owner.st_mode & 0o077):
                    raise PermissionError(f"{folder} is not this user's alone: set "
                                          "NEWSCLEAN_INDEX_PATH to a folder of its own")
            conn = sqlite3.connect(self.path, timeout=self.busy, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            # In WAL, NORMAL loses no committed write when a process dies (only when the
            # machine does, the last few): an index can lose a few recent articles.
            conn.execute("PRAGMA synchronous = NORMAL")
            # SQLite's checkpoint (every 1,000 pages of log) keeps the log ~4 MB; a bulk
            # load's transaction can grow it past that: cut it back after a checkpoint.
            conn.execute(f"PRAGMA journal_size_limit = {LOG_BYTES}")
            conn.executescript(SCHEMA)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[None]:
        with self._lock:
            conn = self._connection()
            conn.execute(begin)
            self._clock = time.time()
            self._renewed = set()
            try:
                yield
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def reading(self) -> AbstractContextManager[None]:
        return self._transaction("BEGIN")

    def writing(self) -> AbstractContextManager[None]:
        # IMMEDIATE: the write lock at once, so two writers never deadlock upgrading.
        return self._transaction("BEGIN IMMEDIATE")

    def _sql(self, statement: str, *args: object) -> sqlite3.Cursor:
        return self._connection().execute(statement, args)

    def get(self, key: str, field: bytes) -> bytes | None:
        row = self._sql("SELECT h.value FROM hashes h LEFT JOIN expiry e ON e.key = h.key "
                        "WHERE h.key = ? AND h.field = ? AND (e.at IS NULL OR e.at > ?)",
                        key, field, self._clock).fetchone()
        return None if row is None else bytes(row[0])

    def _renew(self, key: str) -> None:
        """A key past its expiry is gone before it is written again, as in Redis."""
        if key in self._renewed:
            return
        if self._sql("SELECT 1 FROM expiry WHERE key = ? AND at <= ?", key,
                     self._clock).fetchone():
            self._sql("DELETE FROM hashes WHERE key = ?", key)
            self._sql("DELETE FROM expiry WHERE key = ?", key)
        self._renewed.add(key)

    def set(self, key: str, field: bytes, value: bytes) -> None:
        self._renew(key)
        self._sql("INSERT OR REPLACE INTO hashes (key, field, value) VALUES (?, ?, ?)",
                  key, field, value)

    def delete(self, key: str, field: bytes) -> bool:
        if self.get(key, field) is None:
            return False
        self._sql("DELETE FROM hashes WHERE key = ? AND field = ?", key, field)
        if not self._sql("SELECT 1 FROM hashes WHERE key = ? LIMIT 1", key).fetchone():
            self._sql("DELETE FROM expiry WHERE key = ?", key)  # no fields: no key
        return True

    def _live(self, key: str) -> bool:
        return self._sql("SELECT 1 FROM hashes WHERE key = ? LIMIT 1", key).fetchone() \
            is not None and self._expiry(key) != "expired"

    def _expiry(self, key: str) -> float | str | None:
        row = self._sql("SELECT at FROM expiry WHERE key = ?", key).fetchone()
        if row is None:
            return None
        return "expired" if row[0] <= self._clock else float(row[0])

    def length(self, key: str) -> int:
        if self._expiry(key) == "expired":
            return 0
        return int(self._sql("SELECT count(*) FROM hashes WHERE key = ?", key).fetchone()[0])

    def expires(self, key: str) -> float | None:
        if not self._live(key):
            return None
        at = self._expiry(key)
        return at if isinstance(at, float) else None

    def expire_at(self, key: str, when: float) -> None:
        if self._live(key):
            self._sql("INSERT OR REPLACE INTO expiry (key, at) VALUES (?, ?)", key, when)

    def sweep(self) -> None:
        with self.writing():
            keys = [row[0] for row in self._sql(
                "SELECT key FROM expiry WHERE at <= ? ORDER BY at LIMIT ?", self._clock,
                SWEEP_KEYS)]
            for key in keys:
                self._sql("DELETE FROM hashes WHERE key = ?", key)
                self._sql("DELETE FROM expiry WHERE key = ?", key)

    def ping(self) -> None:
        with self.reading():
            self._sql("SELECT 1 FROM expiry LIMIT 1").fetchall()

    def expiries(self) -> dict[str, float | None]:
        """Every key held, with its expiry (None: none): what a test looks at."""
        with self.reading():
            rows = self._sql("SELECT DISTINCT h.key, e.at FROM hashes h "
                             "LEFT JOIN expiry e ON e.key = h.key").fetchall()
        return dict(rows)


class SqliteStore(HashStore):
    """The index in a SQLite file at `path`: every worker of a server (every process that
    opens the same file) sees one index, kept across restarts."""

    kind = "sqlite"
    shared = True
    scope = "instance"

    def __init__(self, path: str, *, private: bool = False) -> None:
        self.path = path
        super().__init__(SqliteHashes(path, private=private))
