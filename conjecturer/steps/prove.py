"""Step 3: the proving set (valid conjectures, canaries, originals), written once, then k samples each
from the prover, verified; a verified canary stops the round."""

from __future__ import annotations

from typing import TYPE_CHECKING

from verifier_core.records import Task
from verifier_core.jsonl import read_records

from ..canaries import canary_tasks, check_canaries
from ..rundir import write_jsonl
from ..resources import samples_iid
from ..select import TaskStats, originals_to_prove, task_stats
from .evaluate import eval_tasks

if TYPE_CHECKING:
    from ..rounds import Round


def proving_set(rnd: "Round") -> list[Task]:
    path = rnd.rd / "prove_tasks.jsonl"
    if path.exists():
        return [Task.from_dict(d) for d in read_records(path)]
    tasks = [c.task() for c in rnd.files.valid_conjectures()]
    if rnd.cfg.canaries.enabled:
        tasks += canary_tasks(rnd.cfg.lang, rnd.cfg.canaries.count, rnd.r)
    keep = originals_to_prove(rnd.state["originals"], rnd.cfg.selection, rnd.rng("originals"),
                              first_round=rnd.r == 0)
    tasks += [rnd.sp.by_id[t] for t in keep]
    write_jsonl(path, [t.to_dict() for t in tasks])
    return tasks


def run(rnd: "Round") -> None:
    attempts = eval_tasks(rnd, "prove", proving_set(rnd), rnd.cfg.prover.samples)
    check_canaries(attempts, rnd.r)


def prove_stats(rnd: "Round", attempts: dict) -> dict[str, TaskStats]:
    """Per-task stats of the proving run, pass rates prior-weighted for a policy without i.i.d. samples."""
    return task_stats(attempts.values(), prior_weighted=not samples_iid(rnd.state["models"]["prover"]))
