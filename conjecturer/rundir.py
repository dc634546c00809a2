"""The files of a self-play run directory: atomic writes, the config check on (re)opening, and the
readers of one round's files (`OUT/rounds/NNN/`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier_core.jsonl import read_records
from verifier_core.records import Task

from prover.errors import UserError
from prover.rundir import did_no_work

from .records import Conjecture


class RunDirMismatch(UserError, RuntimeError):
    """OUT holds a run made with another config, or exists and --resume was not given."""


def write_json(path: Path, obj: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".partial")
    tmp.write_text(json.dumps(obj, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    tmp = path.with_suffix(path.suffix + ".partial")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def open_run_dir(out: Path, config: dict[str, Any], resume: bool) -> None:
    """Create `out` with its config.json, or check that the run there was made with `config`."""
    cfg_file = out / "config.json"
    if cfg_file.exists() and not resume and did_no_work(out):
        cfg_file.unlink()  # a start that failed before any work (a bad benchmark, say): begin again
    if cfg_file.exists():
        if not resume:
            raise RunDirMismatch(f"{out} already holds a self-play run; pass --resume to continue it "
                                 "or choose another --out")
        theirs = read_json(cfg_file)
        if theirs != config:
            diff = sorted(k for k in set(config) | set(theirs) if config.get(k) != theirs.get(k))
            raise RunDirMismatch(f"{out} was made with another config (differs in: {', '.join(diff)})")
    else:
        out.mkdir(parents=True, exist_ok=True)
        write_json(cfg_file, config)


def round_dir(out: Path, r: int) -> Path:
    return out / "rounds" / f"{r:03d}"


@dataclass
class RoundFiles:
    """Readers of what the steps of one round wrote."""

    rd: Path

    def conjectures(self) -> list[Conjecture]:
        return [Conjecture.from_dict(d) for d in read_records(self.rd / "conjectures.jsonl")]

    def validations(self) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in read_records(self.rd / "validation.jsonl")}

    def valid_conjectures(self) -> list[Conjecture]:
        val = self.validations()
        return [c for c in self.conjectures() if val.get(c.id, {}).get("status") == "valid"]

    def prove_tasks(self) -> dict[str, Task]:
        return {t.id: t for t in (Task.from_dict(d) for d in read_records(self.rd / "prove_tasks.jsonl"))}

    def attempts(self, name: str = "prove") -> dict:
        from prover.evaluation.runner import final_attempts

        return final_attempts(self.rd / name)

    def selection(self) -> dict[str, Any]:
        return read_json(self.rd / "selection.json")
