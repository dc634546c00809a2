"""OUT/dataset/: every verified (statement, proof) pair self-play found, one JSONL file per round.

Load it with `datasets.load_dataset("json", data_files="OUT/dataset/*.jsonl")` (or `load(OUT)`).
A round's file is written whole and renamed into place, so a resumed round never duplicates rows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

DIR = "dataset"
FIELDS = ("statement", "header", "proof", "lang", "task_id", "round", "source", "seed_id", "origin",
          "pass_rate", "verify_seconds", "toolchain")


def write_round(out: str | os.PathLike, round_no: int, rows: Iterable[dict[str, Any]]) -> Path:
    d = Path(out) / DIR
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"round_{round_no:03d}.jsonl"
    tmp = path.with_suffix(".partial")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({k: r.get(k) for k in FIELDS}, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return path


def load(out: str | os.PathLike):
    """The whole dataset as a `datasets.Dataset` (the `train` split of the JSON files)."""
    from datasets import load_dataset

    files = sorted(str(p) for p in (Path(out) / DIR).glob("round_*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no dataset files under {Path(out) / DIR}")
    return load_dataset("json", data_files=files, split="train")
