"""Sampling and verifying the prover on a task set as a resumable eval run (`prover.evaluation.runner`),
used for the proving set and for step 6: the held-out eval."""

from __future__ import annotations

from typing import TYPE_CHECKING

from verifier_core.mutation import short_hash
from verifier_core.records import Task

if TYPE_CHECKING:
    from ..rounds import Round


def eval_tasks(rnd: "Round", name: str, tasks: list[Task], samples: int) -> dict:
    """The final attempts of the eval run `rd/name`; verifier errors stop the round (resume retries them)."""
    from prover.benchmarks import installed_toolchain
    from prover.evaluation.runner import EvalRun, EvalSettings, final_attempts

    res = rnd.sp.resources
    spec = rnd.state["models"]["prover"]
    policy = res.policy(spec, "prover")
    if hasattr(policy, "reset"):
        policy.reset()  # the portfolio continues down its list per task; every run starts at the top
    revision = "sha256:" + short_hash(*(t.statement for t in tasks))
    settings = EvalSettings(bench=f"selfplay/{rnd.r:03d}/{name}", data_revision=revision, policy=spec,
                            samples=samples, limit=None, lang=rnd.cfg.lang,
                            toolchain=installed_toolchain(rnd.cfg.lang), task_ids=[t.id for t in tasks],
                            verifier={**res.verifier_options(name), "mode": res.verifier_mode(name)})
    run = EvalRun(rnd.rd / name, settings, tasks, policy, res.checker_factory_for(name),
                  workers=rnd.cfg.prover.workers, gen_batch=rnd.cfg.prover.gen_batch,
                  progress=rnd.sp.progress)
    run.run()
    if run.failure:
        raise RuntimeError(f"round {rnd.r} {name}: {run.failure}; rerun with --resume to continue")
    attempts = final_attempts(rnd.rd / name)
    errors = [a for a in attempts.values() if a["status"] == "error"]
    if errors:
        raise RuntimeError(f"round {rnd.r} {name}: {len(errors)} verifier errors (first: {errors[0]['reason'][:200]}); "
                           "rerun with --resume to retry them")
    return attempts


def run(rnd: "Round") -> None:
    if rnd.cfg.heldout.enabled and rnd.sp.heldout:
        eval_tasks(rnd, "eval", rnd.sp.heldout, rnd.cfg.heldout.samples)
