"""Tasks an eval cannot check at all: their statement alone does not parse or resolve.

Named benchmarks carry a measurement of every task's reference solution, and `prover.benchmarks`
leaves out the tasks whose reference does not verify (the team's own tasks have a test that their
references verify). A task file has neither, so
before any sample is drawn each Dafny statement is read once by Dafny itself (parse and resolve,
no verification) under the same bridge and limits as every check. A statement Dafny refuses gets a
`task:` reason and leaves the scores; without this, each of its samples would count as the model's
failure, or, where the gate already cannot read the statement, as an `error` retried forever.
A task with a trusted header (miniF2F-Dafny's definitions and library) is read with its header
around it, as every check of it is: its statement names the header's functions.
Every task, of a named benchmark too, is first asked whether it leaves anything to prove at all
(`prover.verifiers.statement_problem`, no verifier needed): an empty or comment-only statement
would pass any program that verifies on its own.
Lean needs no Lean pass of its own: the checker elaborates each statement alone first and answers
`task:does-not-elaborate` for one that does not.
"""

from __future__ import annotations

import os
import tempfile

from verifier_core.languages import StatementCheck
from verifier_core.procs import run_limited
from verifier_core.records import Task


def dafny_statement_check(timeout: float = 60.0, memory_mb: int | None = 4096) -> StatementCheck | None:
    """A function task -> "" (Dafny reads the statement) or a `task:` reason; None without Dafny."""
    from . import header as H
    from .cli_backend import CliRunner
    from .dialect import to_dafny2
    from .messages import parse_output
    from .toolchain import DafnyNotFound, detect

    try:
        tc = detect()
    except DafnyNotFound:
        return None
    runner = CliRunner(tc, memory_mb=memory_mb)

    def check(task: Task) -> str:
        program, to_line = task.statement, (lambda n: n)
        try:
            if task.header:  # the same guard, member rewrite and composition as every check
                program = H.before_bridge(task.header, program, tc.major, task.statement)
            if tc.major < 3:
                program = to_dafny2(program).text
            if task.header:
                program, to_line, _ = H.after_bridge(task.header, program, tc.major, lambda n: n)
        except (H.HeaderError, H.HeaderRejection) as e:
            return f"task:header: {e}"
        except Exception:  # the bridge's own trouble says nothing about the statement
            return ""
        with tempfile.TemporaryDirectory(prefix="dafny-statement-") as tmp:
            path = os.path.join(tmp, "statement.dfy")
            with open(path, "w", encoding="utf-8") as f:
                f.write(program)
            argv = ([tc.dafny, "resolve", path] if tc.major >= 3
                    else [*runner.dafny(), "/compile:0", "/nologo", "/noVerify", path])
            r = run_limited(argv, timeout=timeout, memory_mb=memory_mb, cwd=tmp,
                            env=dict(os.environ, LC_ALL="C.UTF-8"))
        out = r.stdout + r.stderr
        if r.timed_out:
            return ""  # a slow front end is not proof of a broken statement; the checks will say more
        phase = ("parse" if "parse errors detected" in out
                 else "resolution" if "resolution/type errors detected" in out else "")
        if not phase:
            return ""
        first = next((m for m in parse_output(out, tc.major).messages if m.severity == "error"), None)
        where = (f"line {to_line(first.line)}: {first.text}" if first and to_line(first.line) > 0
                 else f"in the header: {first.text}" if first else out.strip().splitlines()[-1])
        return f"task:{phase}: Dafny cannot read the statement: {where}"

    return check
