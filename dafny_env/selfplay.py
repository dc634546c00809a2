"""Dafny's part in self-play (`language("dafny").selfplay`): what `conjecturer/` needs to know about
Dafny lemmas. Seeds are `prove` tasks whose target is a lemma; a conjecture keeps the seed's context
(its functions and helper lemmas) verbatim and states a new bodyless lemma.

The conjecturer's prompt (after one worked easy -> hard example) ends inside a code block holding the
seed's context and the keyword `lemma`; the model writes the new lemma's name, parameters and
clauses, and its output (already cut at the closing fence or a tag) is cut at the first body brace.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

from verifier_core.records import Task
from verifier_core.text import FENCE

from .lemma import called_names, lemma_names, parse_lemma
from .syntax import code_mask, parse

# known-false lemmas planted as canaries (`conjecturer/canaries.py`), each with its counterexample
CANARIES = [
    ("false", "lemma CanaryFalse(x: int)\n  ensures false"),  # nothing proves false
    ("even", "lemma CanaryEven(n: nat)\n  ensures n % 2 == 0"),  # n = 1
    ("fib", "function Fib(n: nat): nat\n{\n  if n < 2 then n else Fib(n - 1) + Fib(n - 2)\n}\n\n"
            "lemma {:induction false} CanaryFib()\n  ensures Fib(10) == 56"),  # Fib(10) = 55
    ("seq", "lemma CanarySeq(s: seq<int>)\n  ensures |s| > 0"),  # s = []
    ("sum", "function Sum(n: nat): nat\n{\n  if n == 0 then 0 else n + Sum(n - 1)\n}\n\n"
            "lemma {:induction false} CanarySum(n: nat)\n  ensures 2 * Sum(n) == n * (n - 1)"),  # n = 1
    ("bound", "lemma CanaryBound(a: int, b: int)\n  requires a > 0\n  ensures a + b > a"),  # b = 0
]
CANARY_HEADER = ""


def is_seed_task(task: Task) -> bool:
    """Only a task whose target is a lemma with requires/ensures clauses alone can be mutated."""
    return parse_lemma(task.statement, task.meta.get("target")) is not None


def reference_proof(task: Task) -> str | None:
    """The verified proof a task ships with, as a candidate (the target's body), else None."""
    ref = task.meta.get("reference")
    if not ref:
        return None
    target = task.meta.get("target")
    for d in parse(ref).walk():
        if d.name == target and d.has_body:
            return d.body(ref)
    return None


def seed_lemmas(task: Task, proof: str) -> list[str]:
    """The helper lemmas of the seed's statement that its proof calls."""
    target = task.meta.get("target")
    return [n for n in called_names(proof, lemma_names(task.statement)) if n != target]


def seed_name(task: Task) -> str:
    """The name of the lemma a seed states, as its mutants' duplicate keys see it."""
    spec = parse_lemma(task.statement, task.meta.get("target"))
    return spec.name if spec else ""


def original_target(task: Task) -> str:
    """The name an original's duplicate key ignores."""
    return task.meta.get("target", "")


def compared_text(statement: str, target: str | None) -> str:
    """What duplicates and similarity are judged on: the new lemma's header (the context is the seed's)."""
    spec = parse_lemma(statement, target)
    return spec.header() if spec is not None else statement


_DAFNY_BOUND = re.compile(r"\b(?:forall|exists)\s+([^:]+?)\s*::")


def canonical_parts(text: str) -> tuple[list[str], str, list[str]] | None:
    """(parameter and bound-variable names, the lemma's keyword and parameter types, its requires and
    ensures clauses split into top-level conjuncts, whose order does not matter); None when `text`
    states no lemma."""
    from .mutation import top_conjuncts

    spec = parse_lemma(text)
    if spec is None:
        return None
    names = [p.split(":")[0].strip() for p in spec.params]
    for m in _DAFNY_BOUND.finditer(" ".join(spec.requires + spec.ensures)):
        names += [v.split(":")[0].strip() for v in m.group(1).split(",")]
    parts = [f"requires {c}" for r in spec.requires for c in top_conjuncts(r)]
    parts += [f"ensures {c}" for e in spec.ensures for c in top_conjuncts(e)]
    types = ",".join(p.split(":", 1)[1].strip() for p in spec.params)
    return names, f"{spec.keyword}({types})", parts


def uses_lemma(proof: str, lemma: str) -> bool:
    return bool(called_names(proof, [lemma]))


def _lemma_text(statement: str, lemma: str) -> str:
    """The helper lemma's declaration (with its proof) as the seed's statement gives it."""
    if not lemma:
        return ""
    for d in parse(statement).walk():
        if d.name == lemma:
            return statement[d.start: d.body_end if d.has_body else d.header_end]
    return lemma


# One worked example in the prompt's own format: a small base model (SmolLM2-135M) given STP's
# instruction alone wrote prose, dates or the seed's header verbatim; shown one easy -> hard pair it
# continues the pattern (a new name, parameters, clauses, the closing fence).
_DAFNY_SHOT = (
    "<lemma>\n</lemma>\n<easy theorem>\n" + FENCE + "dafny\nfunction Sum(n: nat): nat\n{\n  if n == 0 then 0 else n + Sum(n - 1)\n}\n\n"
    "lemma SumPos(n: nat)\n  requires n > 0\n  ensures Sum(n) > 0\n{\n}\n" + FENCE + "\n</easy theorem>\n"
    "<hard theorem>\n" + FENCE + "dafny\nfunction Sum(n: nat): nat\n{\n  if n == 0 then 0 else n + Sum(n - 1)\n}\n\n"
    "lemma SumAtLeast(n: nat)\n  ensures Sum(n) >= n\n" + FENCE + "\n</hard theorem>\n\n")


def conjecturer_prompt(task: Task, proof: str, lemma: str) -> tuple[str, str]:
    """(prompt, context): the prompt text, and the Dafny context the new lemma is declared in."""
    spec = parse_lemma(task.statement, task.meta.get("target"))
    context = spec.context if spec else ""
    lem = _lemma_text(task.statement, lemma)
    lemma_block = f"<lemma>\n{FENCE}dafny\n{lem}\n{FENCE}\n</lemma>\n" if lem else "<lemma>\n</lemma>\n"
    head = context.rstrip() + "\n\n" if context.strip() else ""
    # no space after `lemma`: BPE tokenizers put the space into the next word's token, so a
    # prompt ending in a space asks for a token sequence the model rarely saw
    prompt = ("Complete the following Dafny code. Write a new lemma that is harder than the easy theorem"
              + (" and whose proof uses the given lemma" if lem else "") + ".\n\n"
              + _DAFNY_SHOT + lemma_block
              + f"<easy theorem>\n{FENCE}dafny\n{task.statement.rstrip()}\n{proof.strip()}\n{FENCE}\n</easy theorem>\n"
              + f"<hard theorem>\n{FENCE}dafny\n{head}lemma")
    return prompt, context


def parse_output(text: str, context: str) -> tuple[str, str, str]:
    """(statement, target name, error) from the model's continuation of `conjecturer_prompt`."""
    body = "lemma " + text.lstrip(" ")
    brace = code_mask(body).find("{", len("lemma "))
    while brace >= 0 and body[brace:brace + 2] == "{:":  # an attribute, not the body
        close = code_mask(body).find("}", brace)
        brace = code_mask(body).find("{", close + 1) if close >= 0 else -1
    header = (body[:brace] if brace >= 0 else body).strip()
    statement = f"{context.rstrip()}\n\n{header}" if context.strip() else header
    spec = parse_lemma(statement)
    if spec is None or not spec.ensures:
        return "", "", "no lemma header with an `ensures` clause in the output"
    return statement, spec.name, ""


def completion(statement: str, target: str) -> str:
    """The code that follows the prompt's `lemma` to state this conjecture."""
    spec = parse_lemma(statement, target or None)
    header = spec.header() if spec else statement
    return header[len("lemma"):] if header.startswith("lemma ") else " " + header


def audit_verifier_options(timeout: float) -> dict[str, Any]:
    """A fresh `dafny` process per check (the CLI backend), not the DafnyServer pool that gave the reward."""
    return {"cache": False, "backend": "cli", "workers": 1, "timeout": timeout, "confirm_failures": False}


def mutator(seeds: Sequence[tuple[Task, str]]):
    from .mutation import DafnyMutator

    return DafnyMutator(seeds)


def conjecture_checks(check_many: Callable, cfg: Any, command: Callable[[], Any]):
    """The validation checks; Dafny resolves with its own CLI, so `command` (a REPL runner) goes unused."""
    from .conjecture_checks import DafnyChecks

    return DafnyChecks(check_many, cfg)
