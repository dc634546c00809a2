"""Re-verify selected conjectures' proofs with a fresh verifier process and no verdict cache.

Each language says how (`audit_verifier_options`): Dafny, one `dafny` process per check (the CLI
backend), not the DafnyServer pool that produced the reward; Lean, a new REPL. A selected proof that
does not re-verify is dropped from the selection and counted: it points at a flaky check or a cache that lies. An `error` (the audit's own infrastructure)
is no verdict: it is not recorded, and the round stops so that `--resume` audits it again.
"""

from __future__ import annotations

from typing import Callable

from verifier_core.records import Candidate, Task, Verdict

from .languages import selfplay_part


def fresh_checker(lang: str, timeout: float) -> Callable[[Task, str], Verdict]:
    """A check that builds a new verifier (so a new process) for every call and closes it after."""
    from prover.verifiers import get_verifier

    options = selfplay_part(lang).audit_verifier_options(timeout)

    def make():
        return get_verifier(lang, **options)

    def check(task: Task, proof: str) -> Verdict:
        # a closed verifier refuses further checks, so each audit gets its own
        verifier = make()
        try:
            return verifier.check(task, Candidate(task.id, proof, source="audit"))
        finally:
            verifier.close()

    return check
