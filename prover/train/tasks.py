"""Training task sets: benchmarks split by a fixed hash into train and held-out, checked against tests.

A task's split depends only on its id and the salt, so it never changes when tasks are added or the
order changes; a `limit` takes tasks in the same hash order (files are often sorted by difficulty, so
their first N are the easiest). A training set that shares a statement (whitespace-normalised hash)
with a test benchmark is refused, naming the overlapping tasks. Train tasks that duplicate, up to
renaming, or nearly duplicate (`dedup.NEAR`) a held-out or test item are dropped and counted
(`split_tasks`): the same program sits in several benchmarks under other ids.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import ClassVar

from verifier_core.records import Task
from ..errors import UserError

SEEDS = {"lean-workbook-seeds": "seeds/lean_workbook_seeds_5k.jsonl"}
DEFAULT_TESTS = {"lean": ["minif2f-test"], "dafny": ["clover"]}


class OverlapError(UserError, ValueError):
    """Training tasks share statements with a test benchmark."""


@dataclass
class TaskSetConfig:
    """Where training tasks come from. `train` names benchmarks (or `lean-workbook-seeds`, or a task
    .jsonl); every one is split by hash and only its train part is trained on; `heldout` is evaluated."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("limit", "heldout_limit")
    FRACTIONS: ClassVar[tuple[str, ...]] = ("heldout_fraction",)

    train: list[str] = field(default_factory=lambda: ["dafny-team"])
    heldout_fraction: float = 0.3
    salt: str = "prover-train-v1"
    limit: int | None = None  # at most this many train tasks (after the split), for smoke runs
    heldout_limit: int | None = None
    test_benchmarks: list[str] | None = None  # None = the language's defaults (DEFAULT_TESTS)
    dedup: bool = True  # drop train tasks that (nearly) duplicate a held-out or test item


@dataclass
class TaskSplit:
    train: list[Task]
    heldout: list[Task]
    # train task id -> (the held-out or test item it duplicates, similarity); `exact` = up to renaming
    dropped: dict[str, dict] = field(default_factory=dict)

    def dropped_counts(self) -> dict[str, int]:
        exact = sum(d["exact"] for d in self.dropped.values())
        return {"exact": exact, "near": len(self.dropped) - exact}


def split_of(task_id: str, heldout_fraction: float, salt: str = "prover-train-v1") -> str:
    """`train` or `heldout`, from a hash of (salt, task id): stable across runs and machines."""
    h = int(hashlib.sha256(f"{salt}:{task_id}".encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "heldout" if h < heldout_fraction else "train"


def hash_order(tasks: list[Task], salt: str = "prover-train-v1") -> list[Task]:
    """`tasks` sorted by the hash of (salt, id): a stable order unrelated to the file's."""
    return sorted(tasks, key=lambda t: hashlib.sha256(f"{salt}:order:{t.id}".encode("utf-8")).hexdigest())


def statement_hash(task: Task) -> str:
    norm = re.sub(r"\s+", " ", (task.header + "\n" + task.statement)).strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def load_tasks(name: str) -> list[Task]:
    """A benchmark by name, the Lean seeds, or a task file; tasks whose reference fails are left out."""
    from .. import benchmarks
    from verifier_core.settings import data_dir
    from verifier_core.jsonl import read_records

    if name in SEEDS:
        return [Task.from_dict(r, lang="lean") for r in read_records(data_dir() / SEEDS[name])]
    lang = benchmarks.benchmark_lang(name)
    return benchmarks.load_with_exclusions(name, toolchain=benchmarks.installed_toolchain(lang))[0]


def check_overlap(train: list[Task], tests: dict[str, list[Task]]) -> None:
    """Raise OverlapError if any training statement appears in a test benchmark."""
    mine = {statement_hash(t): t.id for t in train}
    problems = []
    for bench, tasks in tests.items():
        hits = [(mine[h], t.id) for t in tasks if (h := statement_hash(t)) in mine]
        if hits:
            shown = ", ".join(f"{a} = {b}" for a, b in hits[:5]) + (" ..." if len(hits) > 5 else "")
            problems.append(f"{len(hits)} with test benchmark {bench!r} ({shown})")
    if problems:
        raise OverlapError("the training set overlaps a test benchmark by statement: " + "; ".join(problems)
                           + ". Remove those tasks or choose other training data.")


def refuse_unusable(tasks: list[Task]) -> None:
    """Raise ValueError naming the tasks that cannot be tasks at all: one with an empty statement
    would reward any program that verifies on its own."""
    from ..verifiers import statement_problem

    bad = [(t.id, p) for t in tasks if (p := statement_problem(t))]
    if bad:
        shown = "; ".join(f"{tid}: {p}" for tid, p in bad[:3]) + (" ..." if len(bad) > 3 else "")
        raise ValueError(f"{len(bad)} tasks have nothing to prove or cannot be read ({shown}); "
                         "remove them from the task data")


def train_and_heldout(cfg: TaskSetConfig) -> tuple[list[Task], list[Task]]:
    """The train and held-out tasks of `cfg`, after the overlap check against the test benchmarks."""
    split = split_tasks(cfg)
    return split.train, split.heldout


def split_tasks(cfg: TaskSetConfig, extra_tests: dict[str, list[Task]] | None = None) -> TaskSplit:
    """`train_and_heldout` with the dropped duplicates named (`extra_tests`: more items to keep
    train tasks away from, e.g. a held-out file)."""
    train: list[Task] = []
    held: list[Task] = []
    for name in cfg.train:
        for t in load_tasks(name):
            t.meta.setdefault("benchmark", name)  # the team's tasks carry none: stamp where they come from
            (held if split_of(t.id, cfg.heldout_fraction, cfg.salt) == "heldout" else train).append(t)
    if not train:
        raise ValueError(f"no training tasks in {cfg.train} after the split")
    refuse_unusable(train + held)
    langs = {t.lang for t in train}
    tests = cfg.test_benchmarks if cfg.test_benchmarks is not None else \
        [b for lang in sorted(langs) for b in DEFAULT_TESTS[lang]]
    test_sets = {b: _load_test(b) for b in tests}
    dropped: dict[str, dict] = {}
    if not cfg.dedup:
        check_overlap(train + held, test_sets)
    else:  # a statement equal to a test item's has its fingerprint: dropped below, not refused
        from .dedup import Index

        others = [t for t in held] + [t for b in [*test_sets.values(), *(extra_tests or {}).values()] for t in b]
        index = Index((t.id, t.statement) for t in others)
        keep = []
        for t in train:
            m = index.closest(t.id, t.statement)
            if m is None:
                keep.append(t)
            else:
                dropped[t.id] = {"other": m.other, "similarity": round(m.similarity, 3), "exact": m.exact}
        train = keep
    train, held = hash_order(train, cfg.salt), hash_order(held, cfg.salt)
    if cfg.limit is not None:
        train = train[: cfg.limit]
    if cfg.heldout_limit is not None:
        held = held[: cfg.heldout_limit]
    return TaskSplit(train, held, dropped)


def _load_test(name: str) -> list[Task]:
    """A test benchmark's tasks; one whose data is absent cannot overlap and is skipped with a note."""
    import sys

    from ..benchmarks import BenchmarkError

    try:
        return load_tasks(name)
    except (BenchmarkError, OSError) as e:
        print(f"note: cannot load test benchmark {name!r} for the overlap check: {e}", file=sys.stderr)
        return []
