"""Verdict cache keyed by a content hash of (toolchain, header, statement, candidate, options).

SQLite because several verifier worker processes write to it at once and it must survive a crash.
Only final verdicts are cached: `error` (infrastructure) and `timeout` (may pass with more time) are
never stored, so a retry always reaches the verifier.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading

from .records import Verdict

CACHEABLE = ("verified", "failed", "rejected")


def verdict_key(toolchain: str, header: str, statement: str, candidate: str, **options: object) -> str:
    """Stable hash of everything that can change a verdict."""
    payload = json.dumps(
        {"toolchain": toolchain, "header": header, "statement": statement, "candidate": candidate,
         "options": options},
        sort_keys=True, ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class VerdictCache:
    """A persistent map key -> Verdict; `path=None` keeps it in memory (tests, one-off runs)."""

    def __init__(self, path: str | None = None):
        if path:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL" if path else "PRAGMA journal_mode=MEMORY")
        self._db.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, verdict TEXT NOT NULL)")
        self._db.commit()

    def get(self, key: str) -> Verdict | None:
        with self._lock:
            row = self._db.execute("SELECT verdict FROM verdicts WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        v = Verdict.from_dict(json.loads(row[0]))
        # A hit keeps the original check's `seconds`: STP's proof weight exp(-0.01 * verify_seconds)
        # must not change because a proof was seen before. Time accounting skips `cached` verdicts.
        v.cached = True
        return v

    def put(self, key: str, verdict: Verdict) -> None:
        if verdict.status not in CACHEABLE:
            return
        d = verdict.to_dict()
        d["cached"] = False
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?)", (key, json.dumps(d)))
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
