"""Expert iteration (STP's prover update: Dong & Ma 2025, arXiv:2502.00212), round by round.

A round: sample k proofs per train task from the current checkpoint and verify them (the eval
runner's resumable `EvalRun`, so nothing is sampled twice after a crash) -> keep the verified proofs
of tasks whose pass rate this round is <= `max_pass_rate` -> weight each by
`exp(-length_coef * len - time_coef * verify_seconds) / n_correct` -> merge with the replay buffer of
the last `replay_rounds` rounds (deduplicated) -> weighted SFT -> held-out eval -> next round.

Every step writes its result before the next starts and is skipped when its result exists, so a
SIGKILL anywhere resumes with no round, sample or SFT redone.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Iterable, Mapping, Sequence

from verifier_core.jsonl import JsonlWriter, read_records
from .sft import SFTExample


@dataclass
class EIConfig:
    """Every constant of an expert-iteration round (defaults: STP's)."""

    POSITIVE: ClassVar[tuple[str, ...]] = ("rounds", "samples_per_task", "eval_every", "gen_batch")
    FRACTIONS: ClassVar[tuple[str, ...]] = ("max_pass_rate",)

    rounds: int = 3
    samples_per_task: int = 32  # STP: 64 in round 0, 32 afterwards
    max_pass_rate: float = 0.5  # tasks solved more often than this are too easy to learn from
    length_coef: float = 0.001  # exp(-length_coef * len(proof in characters) ...
    time_coef: float = 0.01  # ... - time_coef * verify_seconds)
    replay_rounds: int = 2  # proofs of the last R rounds are trained on again, deduplicated
    eval_every: int = 1  # held-out eval after every N-th round (the last round always)
    gen_batch: int = 4  # tasks per policy.generate call


def stp_weight(completion_len: int, verify_seconds: float, n_correct: int, cfg: Any) -> float:
    """STP's per-proof weight: short, fast proofs count more; a task's proofs share one unit."""
    if n_correct < 1:
        raise ValueError("n_correct must be >= 1 (a weighted proof is one of the correct ones)")
    return math.exp(-cfg.length_coef * completion_len - cfg.time_coef * verify_seconds) / n_correct


def _get(r: Any, key: str, default: Any = None) -> Any:
    return r.get(key, default) if isinstance(r, Mapping) else getattr(r, key, default)


def select_examples(rollouts_or_attempts: Iterable[Any], cfg: Any) -> list[SFTExample]:
    """Weighted SFT examples from one round's verified samples.

    Each item (a mapping or an object, e.g. a `Rollout`) needs `task_id`, `prompt`, `completion`,
    `status` and `seconds` (or `verify_seconds`); `candidate` (the extracted proof, default the
    completion) is what the length term measures. A task's pass rate counts every non-`error` sample;
    tasks with pass rate 0 or above `cfg.max_pass_rate` give nothing. Identical proofs of one task are
    kept once, and `n_correct` counts distinct correct proofs.
    """
    by_task: dict[str, list[Any]] = defaultdict(list)
    for r in rollouts_or_attempts:
        if _get(r, "status") != "error":
            by_task[str(_get(r, "task_id"))].append(r)
    out: list[SFTExample] = []
    for task_id, rows in by_task.items():
        correct = [r for r in rows if _get(r, "status") == "verified"]
        rate = len(correct) / len(rows)
        if not correct or rate > cfg.max_pass_rate:
            continue
        distinct: dict[tuple[str, str], Any] = {}
        for r in correct:
            distinct.setdefault((_get(r, "prompt"), _get(r, "completion")), r)
        for (prompt, completion), r in distinct.items():
            cand = _get(r, "candidate") or completion
            secs = _get(r, "verify_seconds", _get(r, "seconds", 0.0)) or 0.0
            w = stp_weight(len(cand), float(secs), len(distinct), cfg)
            out.append(SFTExample(prompt, completion, w, task_id, {"pass_rate": rate, "verify_seconds": secs}))
    return out


def pass_rates(attempts: Iterable[Any]) -> dict[str, float]:
    """Each task's verified fraction of its scored (non-`error`) samples."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a in attempts:
        if _get(a, "status") != "error":
            c = counts[str(_get(a, "task_id"))]
            c[0] += _get(a, "status") == "verified"
            c[1] += 1
    return {t: c / n for t, (c, n) in counts.items()}


def example_key(ex: SFTExample) -> str:
    return hashlib.sha256(json.dumps([ex.prompt, ex.completion]).encode("utf-8")).hexdigest()


class ReplayBuffer:
    """Selected examples of past rounds, persisted as JSONL (`{"round", "example"}` per line).

    `add_round(r, new)` records round r's examples and returns the round's training set: the new
    examples plus those of the `replay_rounds` rounds before r, each (prompt, completion) once (the
    newest copy wins). Calling it again for a recorded round returns the same set (resume).
    """

    def __init__(self, path: str | os.PathLike, replay_rounds: int = 2):
        self.path = Path(path)
        self.replay_rounds = max(0, int(replay_rounds))

    def _rounds(self) -> dict[int, list[SFTExample]]:
        rounds: dict[int, list[SFTExample]] = defaultdict(list)
        for rec in read_records(self.path):
            got = rounds[int(rec["round"])]
            if rec["example"] is not None:
                got.append(SFTExample.from_dict(rec["example"]))
        return rounds

    def add_round(self, round_idx: int, examples: Sequence[SFTExample]) -> list[SFTExample]:
        rounds = self._rounds()
        if round_idx not in rounds:
            with JsonlWriter(self.path) as w:
                for ex in examples:
                    w.write({"round": round_idx, "example": ex.to_dict()})
                # an empty round still needs a record, so a resume knows it happened
                if not examples:
                    w.write({"round": round_idx, "example": None})
            rounds[round_idx] = list(examples)
        return self.training_set(round_idx, rounds)

    def training_set(self, round_idx: int, rounds: dict[int, list[SFTExample]] | None = None) -> list[SFTExample]:
        rounds = self._rounds() if rounds is None else rounds
        seen: set[str] = set()
        out: list[SFTExample] = []
        for r in range(round_idx, round_idx - self.replay_rounds - 1, -1):
            for ex in rounds.get(r, []):
                k = example_key(ex)
                if k not in seen:
                    seen.add(k)
                    out.append(ex)
        return out


def attempts_as_rows(attempts: Iterable[Mapping[str, Any]], tasks: Mapping[str, Any], prompt_style: str,
                     tokenizer=None) -> list[dict[str, Any]]:
    """Eval-runner attempt records -> `select_examples` rows (prompt and completion reconstructed),
    in task and sample order: verifier threads record in whatever order they finish, and a run and
    its resume must build the same examples."""
    from .targets import completion_target, prompt_text

    prompts: dict[str, str] = {}
    rows = []
    for a in sorted(attempts, key=lambda a: (a["task_id"], int(a.get("sample", 0)))):
        task = tasks[a["task_id"]]
        if task.id not in prompts:
            prompts[task.id] = prompt_text(task, prompt_style, tokenizer)
        text = a.get("text") or ""
        rows.append({"task_id": task.id, "prompt": prompts[task.id], "status": a["status"], "candidate": text,
                     "completion": completion_target(task, text, prompt_style) if text else "",
                     "seconds": float(a.get("seconds", 0.0))})
    return rows
