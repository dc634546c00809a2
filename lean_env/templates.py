"""The portfolio's Lean proof templates: closing tactics and short combinations (`omega`,
`norm_num`, `nlinarith` with square hints built from the statement's real variables, `intros`/`subst_vars`
prefixes, ...), and the single tactics best-first search tries at a proof state."""

from __future__ import annotations

import re

from verifier_core.records import Task

LEAN_CLOSERS = ["norm_num", "simp", "omega", "linarith", "nlinarith", "decide", "positivity", "ring_nf",
                "aesop", "field_simp", "simp_all", "tauto", "rfl", "norm_num [*]", "exact?"]
LEAN_PREFIXES = ["intros", "subst_vars", "norm_num at *", "field_simp", "simp_all", "constructor", "push_cast"]
LEAN_FINISHERS = ["omega", "linarith", "nlinarith", "norm_num", "simp", "ring_nf", "ring", "positivity", "aesop"]
# single tactics offered at every proof state in best-first search
LEAN_STEP_TACTICS = ["norm_num", "simp", "omega", "linarith", "intro h", "intros", "constructor", "nlinarith",
                     "positivity", "ring_nf", "simp_all", "aesop", "decide", "field_simp", "rfl",
                     "norm_num at *", "subst_vars", "exact?", "tauto", "push_cast"]


def step_tactics(state: str) -> list[str]:
    """Single tactics for a proof state; `intro` only when the goal has something to introduce."""
    goal = state.split("⊢")[-1] if "⊢" in state else state
    has_binder = bool(re.search(r"→|∀|¬", goal))
    return [t for t in LEAN_STEP_TACTICS if has_binder or not t.startswith("intro")]


def _lean_proof(*tactics: str) -> str:
    return "".join("\n  " + t for t in tactics)


def lean_candidates(task: Task) -> list[str]:
    reals = _binder_names(task.statement, ("ℝ", "ℚ", "ℤ"))
    out = [_lean_proof(t) for t in LEAN_CLOSERS]
    if len(reals) >= 1:
        out.append(_lean_proof(f"nlinarith [{_square_hints(reals)}]"))
    for p in LEAN_PREFIXES:
        for f in LEAN_FINISHERS:
            if f != p:
                out.append(_lean_proof(f"{p} <;> {f}"))
    if reals:
        out.append(_lean_proof("norm_num at *", f"nlinarith [{_square_hints(reals)}]"))
    return out


def _binder_names(statement: str, types: tuple[str, ...]) -> list[str]:
    """Names bound as `(a b : ℝ)` in the statement, for the given types."""
    names: list[str] = []
    for m in re.finditer(r"[(\{]\s*([^():{}]+?)\s*:\s*([^()]+?)\s*[)}]", statement):
        if m.group(2).strip() in types:
            names.extend(n for n in m.group(1).split() if re.fullmatch(r"[^\W\d][\w'₀-₉]*", n))
    return names


def _square_hints(names: list[str]) -> str:
    hints = [f"sq_nonneg ({a} - {b})" for i, a in enumerate(names[:4]) for b in names[i + 1: 4]]
    hints += [f"sq_nonneg ({a} + {b})" for i, a in enumerate(names[:3]) for b in names[i + 1: 3]]
    hints += [f"sq_nonneg {a}" for a in names[:4]]
    return ", ".join(hints)
