"""Original statements for self-play: load them and split off a held-out set.

Which tasks can seed, and their reference proofs, are the language's (`language(lang).selfplay`).
Dafny: the team's tasks (`dafny-team`, `prove` tasks whose target is a lemma; their references are
verified proofs, so they seed round 0). Lean: LeanWorkbook seeds and miniF2F-valid (no proofs: a
statement becomes a seed once the prover has proved it). A test benchmark is refused by the config.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from verifier_core.records import Task

from .config import SeedsConfig
from .languages import selfplay_part


def load_originals(cfg: SeedsConfig, lang: str) -> list[Task]:
    """Every prove task named by `cfg` (benchmarks, then files), in order, without duplicate ids."""
    from prover.train.tasks import load_tasks
    from verifier_core.jsonl import read_records

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
    part = selfplay_part(lang)
    for t in tasks:
        if t.lang != lang:
            raise ValueError(f"seed task {t.id!r} is {t.lang}, the config says lang {lang!r}")
        if t.kind != "prove" or t.id in seen:
            continue
        if not part.is_seed_task(t):
            continue
        seen.add(t.id)
        out.append(t)
    return out


def split_heldout(tasks: list[Task], cfg: SeedsConfig) -> tuple[list[Task], list[Task]]:
    """(train, held-out) by a fixed hash of the task id, the same in every run and round; then the
    first `limit` train tasks and the first `heldout_limit` held-out ones."""
    def bucket(t: Task) -> float:
        return int(hashlib.sha256(t.id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF

    held = [t for t in tasks if bucket(t) < cfg.heldout_fraction]
    train = [t for t in tasks if bucket(t) >= cfg.heldout_fraction]
    return train[: cfg.limit], held[: cfg.heldout_limit]
