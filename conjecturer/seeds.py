"""Original statements for self-play: load them, split off a held-out set, and read reference proofs.

Dafny: the team's tasks (`dafny-team`, `prove` tasks whose target is a lemma; their references are
verified proofs, so they seed round 0). Lean: LeanWorkbook seeds and miniF2F-valid (no proofs: a
statement becomes a seed once the prover has proved it). A test benchmark is refused by the config.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from prover.core import Task

from .config import SeedsConfig


def load_originals(cfg: SeedsConfig, lang: str) -> list[Task]:
    """Every prove task named by `cfg` (benchmarks, then files), in order, without duplicate ids."""
    from prover.jsonl import read_records
    from prover.train.tasks import load_tasks

    tasks: list[Task] = []
    for name in cfg.benchmarks:
        tasks += load_tasks(name)  # a benchmark, or a task set such as `lean-workbook-seeds`
    for f in cfg.files:
        path = Path(f).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"seeds.files: {path} does not exist")
        tasks += [Task.from_dict(r, lang=lang) for r in read_records(path)]
    seen: set[str] = set()
    out = []
    for t in tasks:
        if t.lang != lang:
            raise ValueError(f"seed task {t.id!r} is {t.lang}, the config says lang {lang!r}")
        if t.kind != "prove" or t.id in seen:
            continue
        if lang == "dafny" and not _is_lemma_task(t):
            continue
        seen.add(t.id)
        out.append(t)
    return out


def _is_lemma_task(task: Task) -> bool:
    from .dafny_spec import parse_lemma

    return parse_lemma(task.statement, task.meta.get("target")) is not None


def split_heldout(tasks: list[Task], cfg: SeedsConfig) -> tuple[list[Task], list[Task]]:
    """(train, held-out) by a fixed hash of the task id, the same in every run and round; then the
    first `limit` train tasks and the first `heldout_limit` held-out ones."""
    def bucket(t: Task) -> float:
        return int(hashlib.sha256(t.id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF

    held = [t for t in tasks if bucket(t) < cfg.heldout_fraction]
    train = [t for t in tasks if bucket(t) >= cfg.heldout_fraction]
    return train[: cfg.limit], held[: cfg.heldout_limit]


def reference_proof(task: Task) -> str | None:
    """The verified proof a task ships with, as a candidate (Dafny: the target's body), else None."""
    ref = task.meta.get("reference")
    if task.lang != "dafny" or not ref:
        return None
    from dafny_env.syntax import parse

    target = task.meta.get("target")
    for d in parse(ref).walk():
        if d.name == target and d.has_body:
            return d.body(ref)
    return None
