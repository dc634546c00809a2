"""Re-verify selected conjectures' proofs with a fresh verifier process and no verdict cache.

Dafny: one `dafny` process per check (the CLI backend), not the DafnyServer pool that produced the
reward; Lean: a new REPL. A selected proof that does not re-verify is dropped from the selection and
counted: it points at a flaky check or a cache that lies.
"""

from __future__ import annotations

from typing import Callable

from prover.core import Candidate, Task, Verdict


def fresh_checker(lang: str, timeout: float) -> Callable[[Task, str], Verdict]:
    from prover.verifiers import get_verifier

    if lang == "dafny":
        verifier = get_verifier("dafny", cache=False, backend="cli", workers=1, timeout=timeout,
                                confirm_failures=False)
    else:
        verifier = get_verifier("lean", cache=False, workers=1, timeout=timeout)

    def check(task: Task, proof: str) -> Verdict:
        try:
            return verifier.check(task, Candidate(task.id, proof, source="audit"))
        finally:
            verifier.close()  # the next check starts its own process

    return check
