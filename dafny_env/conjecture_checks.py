"""Self-play's validation of a Dafny conjecture (the task of a proposed lemma): the soundness gate on
the statement itself, resolution (`dafny /noVerify`) and well-formedness (Dafny's `CheckWellformed`),
vacuity (a lemma with the same `requires`, every other clause kept, and `ensures false` verifies with
one of the portfolio's first proofs) and tautology (the lemma without its `requires` verifies with an
empty body)."""

from __future__ import annotations

import os
import re
import tempfile
from typing import Any

from verifier_core.records import Candidate, CheckMany, Task

from .lemma import clause_variant
from .target import find_target


class DafnyChecks:
    """Gate, resolution, well-formedness, vacuity and tautology for Dafny conjectures; `cfg` gives
    `resolve_timeout` and `vacuity_proofs`."""

    lang = "dafny"

    def __init__(self, check_many: CheckMany, cfg: Any):
        self.check_many = check_many
        self.cfg = cfg

    def gate(self, task: Task) -> tuple[str, str] | None:
        from . import soundness

        g = soundness.gate(task, "{\n}")
        if g.ok:
            return None
        if g.rule.startswith("task:"):
            return "ill_formed", f"{g.rule}: {g.detail}"
        return "gate", f"{g.rule}: {g.detail}"

    def well_formed(self, task: Task) -> tuple[str, str] | None:
        return (resolve_dafny(task.statement, self.cfg.resolve_timeout)
                or wellformed_dafny(task.statement, self.cfg.resolve_timeout))

    def _variant(self, task: Task, suffix: str, keep_requires: bool, ensures: list[str] | None) -> Task | None:
        target = find_target(task.statement, task.meta.get("target") or None)
        if target is None:
            return None
        name = f"{target.name}_{suffix}"
        text = clause_variant(task.statement, target.name, name, keep_requires, ensures)
        return Task(id=f"{task.id}#{suffix.lower()}", lang="dafny", statement=text, meta={"target": name}) if text else None

    def vacuity_pairs(self, task: Task) -> list[tuple[Task, Candidate]]:
        """The portfolio's first proofs of the lemma with its own `requires` (and `decreases`,
        `reads`, `returns`) and `ensures false`: any header form."""
        from .templates import dafny_candidates

        target = find_target(task.statement, task.meta.get("target") or None)
        if target is None or not target.requires:
            return []  # no hypotheses: nothing that could be contradictory
        vtask = self._variant(task, "Vacuous", True, ["false"])
        if vtask is None:
            return []
        # the portfolio's candidates, best first, without duplicates
        proofs = list(dict.fromkeys(dafny_candidates(vtask)))
        return [(vtask, Candidate(vtask.id, c)) for c in proofs[: self.cfg.vacuity_proofs]]

    def tautology_pairs(self, task: Task) -> list[tuple[Task, Candidate]]:
        """The lemma without its `requires`, proved by `{ }`: then its `ensures` holds of every input
        by Dafny's own unfolding (`ensures x == x`, `ensures true`, `ensures x > 0 && x < 0 ==> x == 5`)."""
        ttask = self._variant(task, "Tautology", False, None)
        return [(ttask, Candidate(ttask.id, "{\n}"))] if ttask else []


def resolve_dafny(program: str, timeout: float) -> tuple[str, str] | None:
    """None when `program` parses and resolves (no verification), else (`ill_formed`|`error`, detail)."""
    return _run_dafny(program, timeout, verify=False)


def wellformed_dafny(program: str, timeout: float) -> tuple[str, str] | None:
    """None when Dafny verifies the well-formedness of every spec in `program` (its
    `CheckWellformed$$...` implementations: `requires s[0] > 0` where `s` may be empty is not), else
    (`ill_formed`|`error`, detail). `dafny /noVerify` resolves names and types only."""
    return _run_dafny(program, timeout, verify=True)


def _run_dafny(program: str, timeout: float, verify: bool) -> tuple[str, str] | None:
    from verifier_core.procs import run_limited

    from .aot import dafny_argv
    from .dialect import to_dafny2
    from .toolchain import DafnyNotFound, detect

    try:
        tc = detect()
    except DafnyNotFound as e:
        return "error", f"no dafny: {e}"
    if tc.major < 3:
        program = to_dafny2(program).text
    with tempfile.TemporaryDirectory(prefix="conj-resolve-") as tmp:
        path = os.path.join(tmp, "conjecture.dfy")
        with open(path, "w", encoding="utf-8") as f:
            f.write(program)
        if tc.major >= 3:
            argv = [tc.dafny, "verify" if verify else "resolve", path]
        else:
            argv = [*(dafny_argv(tc) or [tc.dafny]), "/compile:0", "/nologo", path]
            argv[-1:-1] = ["/proc:CheckWellformed$$*", f"/timeLimit:{max(1, int(timeout * 0.8))}"] if verify else ["/noVerify"]
        r = run_limited(argv, timeout=timeout, memory_mb=4096, cwd=tmp, env=dict(os.environ, LC_ALL="C.UTF-8"))
    out = (r.stdout + r.stderr).replace(path, "conjecture.dfy")
    what = "the well-formedness check" if verify else "dafny /noVerify"
    if r.timed_out:
        return "error", f"{what} gave no answer within {timeout:g} s"
    if "parse errors detected" in out or "resolution/type errors detected" in out or r.returncode == 2:
        first = next((ln for ln in out.splitlines() if "Error" in ln or "error" in ln), out.strip()[:300])
        return "ill_formed", first.strip()[:300]
    if verify:
        summary = re.search(r"finished with (\d+) verified, (\d+) errors?(?:, (\d+) time outs?)?", out)
        if summary is None:
            return "error", f"{what}: no summary from dafny (status {r.returncode}): {out.strip()[-300:]}"
        if int(summary.group(2)):
            first = next((ln for ln in out.splitlines() if "Error" in ln and "Prover error" not in ln), "")
            return "ill_formed", f"not well-formed: {first.strip()[:300]}"
        if summary.group(3) and int(summary.group(3)):
            return "error", f"{what} timed out on a proof obligation"
    if r.returncode not in (0, 1, 3, 4):
        return "error", f"dafny exited with status {r.returncode}: {out.strip()[:300]}"
    return None
