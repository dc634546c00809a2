"""Shared helpers for the Lean REPL tests: the recorded transcripts, and doubles to run.

The transcripts ship in `tests/fixtures/lean_repl_transcripts.tar.xz` (see `fixtures/README.md`), so
these tests run in a clone with nothing beside it; the archive is unpacked once per test process.
"""

from __future__ import annotations

import atexit
import json
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

from .replay import TranscriptPair, discover

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ARCHIVE = FIXTURES / "lean_repl_transcripts.tar.xz"
REPLAY = Path(__file__).resolve().parent / "replay.py"
LABELS = ("HEAD_v4.33.0-rc2", "v4.24.0", "v4.9.0-rc1")


def _unpack() -> Path:
    root = Path(tempfile.mkdtemp(prefix="prover-test-transcripts-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    with tarfile.open(ARCHIVE) as tf:
        # The "data" filter (refuse links and paths out of `root`) exists from Python 3.11.4 on.
        tf.extractall(root, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    return root / "lean_repl_transcripts"


TRANSCRIPTS = _unpack()


def label_pairs(label: str) -> list[TranscriptPair]:
    return discover([str(TRANSCRIPTS / label)])


def manifest() -> list[dict]:
    return json.loads((TRANSCRIPTS / "MANIFEST.json").read_text())


def manifest_entry(label: str) -> dict:
    return next(m for m in manifest() if m["dir"] == label)


def manifest_pair_count(label: str) -> int:
    return sum(1 for p in manifest_entry(label)["pairs"] if p["expected"])


def transcript(label: str, name: str) -> Path:
    return TRANSCRIPTS / label / "test" / name


def double(*transcripts: Path | str, flags: tuple[str, ...] = ()) -> list[str]:
    """The command line of the replay double over `transcripts` with extra `flags`."""
    return [sys.executable, str(REPLAY), *flags, *map(str, transcripts)]
