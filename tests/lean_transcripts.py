"""Shared helpers for the Lean REPL tests: where the recorded transcripts are, and doubles to run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from lean_env.replay import TranscriptPair, discover
from prover.config import data_dir

TRANSCRIPTS = data_dir() / "lean_repl_transcripts"
LABELS = ("HEAD_v4.33.0-rc2", "v4.24.0", "v4.9.0-rc1")


def require_transcripts() -> None:
    if not (TRANSCRIPTS / "MANIFEST.json").is_file():
        pytest.skip(f"Lean REPL transcripts not found under {TRANSCRIPTS} (set PROVER_DATA_DIR)")


def label_pairs(label: str) -> list[TranscriptPair]:
    require_transcripts()
    return discover([str(TRANSCRIPTS / label)])


def manifest_pair_count(label: str) -> int:
    manifest = json.loads((TRANSCRIPTS / "MANIFEST.json").read_text())
    entry = next(m for m in manifest if m["dir"] == label)
    return sum(1 for p in entry["pairs"] if p["expected"])


def transcript(label: str, name: str) -> Path:
    require_transcripts()
    return TRANSCRIPTS / label / "test" / name


def double(*transcripts: Path | str, flags: tuple[str, ...] = ()) -> list[str]:
    """The command line of the replay double over `transcripts` with extra `flags`."""
    return [sys.executable, "-m", "lean_env.replay", *flags, *map(str, transcripts)]
