"""Canaries: known-false statements planted in every round's proving set.

A verified canary means the verifier or the soundness gate has a hole, and every reward of the round
is suspect: the round stops with `CanaryVerified` naming it. Each canary is false on its face (a
counterexample is given in the comment), resolves/elaborates, and looks like an ordinary task.
"""

from __future__ import annotations

from verifier_core.records import Task

LEAN_HEADER = "import Mathlib\nimport Aesop\n\nset_option maxHeartbeats 400000\n\nopen BigOperators Real Nat Topology Rat\n\n"

DAFNY_CANARIES = [
    ("false", "lemma CanaryFalse(x: int)\n  ensures false"),  # nothing proves false
    ("even", "lemma CanaryEven(n: nat)\n  ensures n % 2 == 0"),  # n = 1
    ("fib", "function Fib(n: nat): nat\n{\n  if n < 2 then n else Fib(n - 1) + Fib(n - 2)\n}\n\n"
            "lemma {:induction false} CanaryFib()\n  ensures Fib(10) == 56"),  # Fib(10) = 55
    ("seq", "lemma CanarySeq(s: seq<int>)\n  ensures |s| > 0"),  # s = []
    ("sum", "function Sum(n: nat): nat\n{\n  if n == 0 then 0 else n + Sum(n - 1)\n}\n\n"
            "lemma {:induction false} CanarySum(n: nat)\n  ensures 2 * Sum(n) == n * (n - 1)"),  # n = 1
    ("bound", "lemma CanaryBound(a: int, b: int)\n  requires a > 0\n  ensures a + b > a"),  # b = 0
]

LEAN_CANARIES = [
    ("one_eq_two", "theorem canary_one_eq_two : (1 : ℕ) = 2 := by"),
    ("sq_neg", "theorem canary_sq_neg (x : ℝ) : x ^ 2 < 0 := by"),  # x = 0
    ("succ_eq", "theorem canary_succ_eq (n : ℕ) : n + 1 = n := by"),
    ("bound", "theorem canary_bound (a b : ℝ) (h : 0 < a) : a < a + b := by"),  # b = 0
]


class CanaryVerified(RuntimeError):
    """A known-false statement was verified: the verifier or the gate has a hole."""


def canary_tasks(lang: str, count: int, round_no: int) -> list[Task]:
    """`count` canaries, rotating through the list round by round so each gets planted."""
    pool = DAFNY_CANARIES if lang == "dafny" else LEAN_CANARIES
    out = []
    for k in range(min(count, len(pool))):
        name, statement = pool[(round_no * count + k) % len(pool)]
        header = LEAN_HEADER if lang == "lean" else ""
        out.append(Task(id=f"canary/{name}", lang=lang, statement=statement, header=header,
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
