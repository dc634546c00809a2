"""Self-play's validation of a Dafny conjecture (the task of a proposed lemma): the soundness gate on
the statement itself, resolution (`dafny /noVerify`) and vacuity (a lemma with the same `requires`
and `ensures false` verifies with one of the portfolio's first proofs)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from verifier_core.records import Candidate, CheckMany, Task

from .lemma import parse_lemma


class DafnyChecks:
    """Gate, resolution (`dafny /noVerify`) and vacuity for Dafny conjectures; `cfg` gives
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
        from . import soundness

        program = soundness.gate(task, "{\n}").program
        return resolve_dafny(program, self.cfg.resolve_timeout)

    def vacuity_pairs(self, task: Task) -> list[tuple[Task, Candidate]]:
        from .templates import dafny_candidates

        spec = parse_lemma(task.statement, task.meta.get("target") or None)
        if spec is None or not spec.requires:
            return []  # no hypotheses: nothing that could be contradictory
        vac = spec.with_(name=spec.name + "_Vacuous", ensures=["false"])
        vtask = Task(id=f"{task.id}#vacuity", lang="dafny", statement=vac.render(), meta={"target": vac.name})
        # the portfolio's candidates, best first, without duplicates
        proofs = list(dict.fromkeys(dafny_candidates(vtask)))
        return [(vtask, Candidate(vtask.id, c)) for c in proofs[: self.cfg.vacuity_proofs]]


def resolve_dafny(program: str, timeout: float) -> tuple[str, str] | None:
    """None when `program` parses and resolves (no verification), else (`ill_formed`|`error`, detail)."""
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
        argv = (["dafny", "resolve", path] if tc.major >= 3 else
                [*(dafny_argv(tc) or [tc.dafny]), "/compile:0", "/noVerify", "/nologo", path])
        if tc.major >= 3:
            argv[0] = tc.dafny
        r = run_limited(argv, timeout=timeout, memory_mb=4096, cwd=tmp, env=dict(os.environ, LC_ALL="C.UTF-8"))
    out = (r.stdout + r.stderr).replace(path, "conjecture.dfy")
    if r.timed_out:
        return "error", f"dafny /noVerify gave no answer within {timeout:g} s"
    if "parse errors detected" in out or "resolution/type errors detected" in out or r.returncode == 2:
        first = next((ln for ln in out.splitlines() if "Error" in ln or "error" in ln), out.strip()[:300])
        return "ill_formed", first.strip()[:300]
    if r.returncode not in (0, 1, 3, 4):
        return "error", f"dafny exited with status {r.returncode}: {out.strip()[:300]}"
    return None
