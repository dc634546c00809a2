"""The statement pass an eval makes before any sample: a task that cannot be a task at all (nothing to
prove) is excluded with its `task:` reason, then the language's own reading of the statement runs
(Dafny parses and resolves each statement of a task file; see the language's `statement_check`)."""

from __future__ import annotations

from verifier_core.languages import StatementCheck
from verifier_core.records import Task

from ..verifiers import statement_problem


def with_statement_problems(check: StatementCheck | None) -> StatementCheck:
    """`check` (None: no verifier pass) preceded by the verifier-free test for a statement that cannot
    be a task at all."""

    def both(task: Task) -> str:
        return statement_problem(task) or (check(task) if check is not None else "")

    return both
