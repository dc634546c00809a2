"""Step 2: a validation verdict per conjecture (well-formed, gate, duplicate, vacuous), appended as each
finishes, so a resumed step checks only the rest."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from verifier_core.jsonl import JsonlWriter, read_records

from ..faults import fault_point
from ..languages import selfplay_part
from ..records import Conjecture
from ..rundir import round_dir

if TYPE_CHECKING:
    from ..rounds import Round


def deduper(rnd: "Round"):
    """Every loaded original and every earlier round's proposal, registered for duplicate checks."""
    from ..validate import Deduper, dedup_text

    d = Deduper(rnd.cfg.lang, rnd.cfg.validation.near_duplicate_ratio)
    part = selfplay_part(rnd.cfg.lang)
    for t in rnd.sp.originals:
        c = Conjecture(t.id, t.lang, t.statement, t.id, "original", target=part.original_target(t))
        d.register(dedup_text(c), c.target)
    for prev in range(rnd.r):
        for rec in read_records(round_dir(rnd.sp.out, prev) / "conjectures.jsonl"):
            c = Conjecture.from_dict(rec)
            if c.statement:
                d.register(dedup_text(c), c.target)
    return d


def _command(rnd: "Round", closers: list):
    """A REPL runner (header, request) -> PoolResult for a language that elaborates statements through
    one: the tests' double, else a new verifier's pool (None when it has no pool)."""
    if rnd.sp.lean_command is not None:
        return rnd.sp.lean_command
    from prover.verifiers import get_verifier

    verifier = get_verifier(rnd.cfg.lang, workers=1, timeout=rnd.cfg.prover.timeout)
    closers.append(verifier)
    pool = verifier.pool
    return (lambda header, req: pool.run(header, req)) if pool is not None else None


def _checks(rnd: "Round", check_many, closers: list):
    return selfplay_part(rnd.cfg.lang).conjecture_checks(check_many, rnd.cfg.validation,
                                                        lambda: _command(rnd, closers))


def run(rnd: "Round") -> None:
    from ..validate import ValidationResult, validate

    path = rnd.rd / "validation.jsonl"
    done = {r["id"]: ValidationResult(**r) for r in read_records(path)}
    factory = rnd.sp.resources.checker_factory_for("validate")
    local = threading.local()
    made: list[Any] = []  # checkers and verifiers to close at the end
    lock = threading.Lock()

    def check_many(pairs):
        if not hasattr(local, "checker"):
            local.checker = factory()
            with lock:
                made.append(local.checker)
        # no fault point per check: validation verdicts, not single checks, are the unit made durable
        return [local.checker.inner.check(t, c) for t, c in pairs]

    checks = _checks(rnd, check_many, made)
    with JsonlWriter(path) as w:
        def record(res: ValidationResult) -> None:
            with lock:
                w.write(res.to_dict())
            fault_point("validate")

        try:
            validate(rnd.files.conjectures(), checks, deduper(rnd), done, record,
                     workers=rnd.cfg.prover.workers, progress=rnd.sp.progress)
        finally:
            for c in made:
                c.close()
