"""Canaries: known-false statements planted in every round's proving set.

A verified canary means the verifier or the soundness gate has a hole, and every reward of the round
is suspect: the round stops with `CanaryVerified` naming it. Each canary is false on its face (a
counterexample is given in the comment), resolves/elaborates, and looks like an ordinary task. Each
language lists its own (`CANARIES` in `<env>/selfplay.py`).
"""

from __future__ import annotations

from verifier_core.records import Task

from .languages import selfplay_part


class CanaryVerified(RuntimeError):
    """A known-false statement was verified: the verifier or the gate has a hole."""


def canary_tasks(lang: str, count: int, round_no: int) -> list[Task]:
    """`count` canaries, rotating through the list round by round so each gets planted."""
    part = selfplay_part(lang)
    pool = part.CANARIES
    out = []
    for k in range(min(count, len(pool))):
        name, statement = pool[(round_no * count + k) % len(pool)]
        out.append(Task(id=f"canary/{name}", lang=lang, statement=statement, header=part.CANARY_HEADER,
                        meta={"canary": True}))
    return out


def is_canary(task_id: str) -> bool:
    return task_id.startswith("canary/")


def check_canaries(attempts: dict, round_no: int) -> None:
    """Raise `CanaryVerified` if any canary attempt (eval-runner attempt records) is `verified`."""
    hit = sorted({r["task_id"] for r in attempts.values() if is_canary(r["task_id"]) and r["status"] == "verified"})
    if hit:
        proof = next(r["text"] for r in attempts.values() if r["task_id"] == hit[0] and r["status"] == "verified")
        raise CanaryVerified(f"round {round_no}: canary {', '.join(hit)} was verified (proof: {proof[:200]!r}); "
                             "the verifier or the soundness gate has a hole, so this round's rewards are not trusted")
