"""verl's custom reward function: `custom_reward_function.path` = this file, `.name` = `compute_score`.

verl calls `compute_score(data_source, solution_str, ground_truth, extra_info)` per sample, with
`ground_truth` from the dataset's `reward_model.ground_truth` (here: the formal statement) and
`extra_info` (optional `lang`, `kind`, `header`, `id`). The keyword arguments after those come from
`custom_reward_function.reward_kwargs` in verl's config (see examples/verl_reward.yaml).

verl has no way to leave a sample out of the update, so an `error` verdict (the infrastructure
failed, not the proof) cannot be given the None it gets elsewhere: by default it raises, so that a
broken verifier stops the run instead of teaching the model that its proofs are wrong; set
`on_error` to a number to score it so anyway.
"""

from __future__ import annotations

from typing import Any

# Absolute imports: verl loads this file by its path (`custom_reward_function.path`), outside its package.
from verifier_core.records import Task
from prover.rewards.backend import backend, fill, prepare
from prover.train.rewards import RewardConfig, reward_for


class VerifierError(RuntimeError):
    """An `error` verdict with `on_error="raise"`."""


def compute_score(data_source: str, solution_str: str, ground_truth: str, extra_info: dict | None = None, *,
                  server: str | None = None, api_key: str | None = None, lang: str = "dafny",
                  style: str = "chat", on_error: str | float = "raise", **verifier_options: Any) -> float:
    """1.0 for verified, 0.0 for failed/rejected/timeout; `error` per `on_error` (module docstring)."""
    info = extra_info or {}
    task_lang = info.get("lang") or lang
    task = Task(id=str(info.get("id", data_source)), lang=task_lang, statement=ground_truth,
                header=info.get("header") or "", kind=info.get("kind") or "prove")
    verdicts, pairs, where = prepare([task], [solution_str], style)
    if pairs:
        verdicts = fill(verdicts, where, backend(task_lang, server, api_key, **verifier_options).check_many(pairs))
    verdict = verdicts[0]
    reward = reward_for(verdict.status, RewardConfig())
    if reward is None:
        if on_error == "raise":
            raise VerifierError(f"verifier error for {task.id!r}: {verdict.reason}")
        return float(on_error)
    return reward
