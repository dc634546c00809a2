"""Lean's part in self-play (`language("lean").selfplay`): what `conjecturer/` needs to know about Lean
theorems. Seeds are statements `theorem NAME ... := by` with no reference proof (a statement becomes a
seed once the prover has proved it); a conjecture is a new such statement.

The conjecturer's prompt ends with `theorem `; the model's output (already cut at the closing fence
or a tag) is cut at `:=` and `:= by` appended (as STP does).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

from verifier_core.records import Task
from verifier_core.text import FENCE

from .mutation import lean_theorem_name

# known-false theorems planted as canaries (`conjecturer/canaries.py`), each with its counterexample
CANARIES = [
    ("one_eq_two", "theorem canary_one_eq_two : (1 : ℕ) = 2 := by"),
    ("sq_neg", "theorem canary_sq_neg (x : ℝ) : x ^ 2 < 0 := by"),  # x = 0
    ("succ_eq", "theorem canary_succ_eq (n : ℕ) : n + 1 = n := by"),
    ("bound", "theorem canary_bound (a b : ℝ) (h : 0 < a) : a < a + b := by"),  # b = 0
]
CANARY_HEADER = "import Mathlib\nimport Aesop\n\nset_option maxHeartbeats 400000\n\nopen BigOperators Real Nat Topology Rat\n\n"


def is_seed_task(task: Task) -> bool:
    return True


def reference_proof(task: Task) -> str | None:
    """Lean seeds ship no verified proof: they seed once the prover has proved them."""
    return None


def seed_lemmas(task: Task, proof: str) -> list[str]:
    return []


def seed_name(task: Task) -> str:
    """The theorem's name: what a seed's (and an original's) duplicate key ignores."""
    return lean_theorem_name(task.statement)


original_target = seed_name


def compared_text(statement: str, target: str | None) -> str:
    """What duplicates and similarity are judged on: the whole statement."""
    return statement


_LEAN_BINDER = re.compile(r"[(\{\[]\s*([^():{}\[\]]+?)\s*:(?!=)")
_LEAN_BOUND = re.compile(r"[∀∃λ]\s*([\w₀-₉' ]+?)\s*[,:>≥<≤∈]")


def canonical_parts(text: str) -> tuple[list[str], str, list[str]] | None:
    """(binder and bound-variable names, "", the statement as its one clause)."""
    names: list[str] = []
    for m in _LEAN_BINDER.finditer(text):
        names += m.group(1).split()
    for m in _LEAN_BOUND.finditer(text):
        names += m.group(1).split()
    return names, "", [text]


def uses_lemma(proof: str, lemma: str) -> bool:
    return re.search(rf"(?<![\w.']){re.escape(lemma)}(?![\w'])", proof) is not None


def conjecturer_prompt(task: Task, proof: str, lemma: str) -> tuple[str, str]:
    """(prompt, context): the prompt text; a Lean theorem needs no context."""
    lemma_block = f"<lemma>\n{FENCE}lean4\n{lemma}\n{FENCE}\n</lemma>\n" if lemma else "<lemma>\n</lemma>\n"
    proof = proof if proof.startswith("\n") else "\n" + proof
    prompt = ("Complete the following Lean 4 code. Write a new theorem that is harder than the easy theorem.\n\n"
              + lemma_block
              + f"<easy theorem>\n{FENCE}lean4\n{task.statement.rstrip()}{proof.rstrip()}\n{FENCE}\n</easy theorem>\n"
              + f"<hard theorem>\n{FENCE}lean4\ntheorem ")
    return prompt, ""


def parse_output(text: str, context: str) -> tuple[str, str, str]:
    """(statement, target name, error) from the model's continuation of `conjecturer_prompt`."""
    cut = text.find(":=")
    if cut < 0:
        return "", "", "no `:=` in the output: the theorem statement never ended"
    stmt = "theorem " + text[:cut].rstrip() + " := by"
    name = lean_theorem_name(stmt)
    if not name:
        return "", "", "no theorem name"
    return stmt, name, ""


def completion(statement: str, target: str) -> str:
    """The code that follows the prompt's `theorem ` to state this conjecture."""
    return statement[len("theorem "):] if statement.startswith("theorem ") else statement


def audit_verifier_options(timeout: float) -> dict[str, Any]:
    """A new REPL, no verdict cache."""
    return {"cache": False, "workers": 1, "timeout": timeout}


def mutator(seeds: Sequence[tuple[Task, str]]):
    from .mutation import LeanMutator

    return LeanMutator(seeds)


def conjecture_checks(check_many: Callable, cfg: Any, command: Callable[[], Any]):
    """The validation checks; `command()` gives the REPL runner (header, request) -> PoolResult that
    elaborates statements, or None where there is no REPL."""
    from .conjecture_checks import LeanChecks

    return LeanChecks(check_many, cfg, command())
