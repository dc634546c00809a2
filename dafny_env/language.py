"""Dafny as the jobs see it: the one object `verifier_core.languages` registers as "dafny"."""

from __future__ import annotations

from typing import Any

from verifier_core.languages import EnvLanguage
from verifier_core.records import Candidate, Task

from . import templates
from .verifier import DafnyVerifier


class DafnyLanguage(EnvLanguage):
    name, title, fence_tag = "dafny", "Dafny", "dafny"
    package, verifier_class = __package__, DafnyVerifier
    tactic_search = False
    empty_proof = "{\n}"

    def reference_candidate(self, task: Task) -> str | None:
        from .references import reference_candidate

        return reference_candidate(task)

    def mode(self, options: dict[str, Any]) -> str:
        from .verifier import mode

        return mode(bool(options.get("confirm_failures", True)))

    def assembled_program(self, task: Task, text: str) -> str | None:
        from .soundness import gate

        g = gate(task, text)
        return g.program if g.ok else None

    def task_from_text(self, name: str, text: str, kind: str = "prove") -> Task:
        return Task(name, "dafny", text, kind=kind)

    def snippet_task(self, sid: str, code: str):
        """A whole program, checked against itself."""
        return Task(id=sid, lang="dafny", statement=code), Candidate(task_id=sid, text=code)

    def statement_problem(self, task: Task) -> str:
        from .soundness import statement_problem

        return statement_problem(task)

    def statement_check(self, timeout: float, memory_mb: int | None):
        from . import statement_check

        return statement_check.dafny_statement_check(timeout, memory_mb)

    def tactic_prompt(self, task: Task, state: str, style: str):
        raise ValueError("Dafny has no proof states: tactic prompts are for Lean")

    def proof_templates(self, task: Task) -> list[str]:
        return templates.dafny_candidates(task)

    def step_tactics(self, state: str) -> list[str]:
        return []

    def proof_session(self, verifier: DafnyVerifier, header: str, timeout: float | None = None):
        raise ValueError("Dafny has no proof states: tactic search is for Lean")


DAFNY = DafnyLanguage()
