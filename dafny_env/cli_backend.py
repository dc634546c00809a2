"""One `dafny` process per check: Dafny 4's `dafny verify`, or Dafny 2.x without DafnyServer.

Also the baseline of `bench/dafny_throughput.py` (this is how DafnyBench and Re:Form check).
Each run gets an empty temporary directory as cwd, its own process group and the memory cap;
the hard timeout kills the whole group (z3 included).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

from verifier_core.procs import run_limited

from .aot import dafny_argv as aot_argv
from .server import Reply
from .toolchain import Toolchain

# Exit statuses dafny uses for "ran and reported on the program": 0 verified, 2 parse/resolution
# errors, 3 compilation errors, 4 verification errors. 1 is a command-line error, and also what
# mono returns for an unhandled exception, possibly after some members were listed verified.
_NORMAL_EXITS = {0, 2, 3, 4}
_CRASH_LINE = re.compile(r"Unhandled Exception|FATAL UNHANDLED EXCEPTION|Internal error|internal error")
# What mono prints when the address-space cap stops it from allocating.
_OUT_OF_MEMORY = re.compile(r"OutOfMemoryException|Out of memory|Couldn't create thread")


class CliRunner:
    """Verify whole programs with one dafny process each; thread-safe.

    `aot` runs a mono Dafny 2.x from its ahead-of-time compiled copy (`dafny_env.aot`), about
    twice as fast to start; the stock `dafny` is used when that is off or cannot be built.
    """

    def __init__(self, toolchain: Toolchain, memory_mb: int | None = 4096, aot: bool = True):
        self.toolchain = toolchain
        self.memory_mb = memory_mb
        self.aot = aot
        self._dafny: list[str] | None = None

    def dafny(self) -> list[str]:
        """The command that starts Dafny (resolved, and the AOT copy built, on first use)."""
        if self._dafny is None:
            self._dafny = (self.aot and aot_argv(self.toolchain)) or [self.toolchain.dafny]
        return self._dafny

    def argv(self, path: str, time_limit: int, log_path: str, extra: Sequence[str] = ()) -> list[str]:
        if self.toolchain.major >= 3:
            return [self.toolchain.dafny, "verify", "--cores", "1",
                    "--verification-time-limit", str(time_limit),
                    "--log-format", f"text;LogFileName={log_path}", *extra, path]
        # /trace prints one "Verifying X ... [n proof obligations] outcome" block per
        # implementation, the same per-member record DafnyServer gives.
        return [*self.dafny(), "/compile:0", "/nologo", "/trace", "/vcsCores:1",
                f"/timeLimit:{time_limit}", *self.toolchain.z3_args, *extra, path]

    def run(self, program: str, timeout: float, time_limit: int, extra: Sequence[str] = ()) -> Reply:
        """Verify `program`; `time_limit` is Dafny's per-VC limit, `timeout` the hard one; `extra`
        options go before the file (`/proc:` to verify only some implementations)."""
        with tempfile.TemporaryDirectory(prefix="dafny-cli-") as tmp:
            path = os.path.join(tmp, "program.dfy")
            log = os.path.join(tmp, "verification.log")
            with open(path, "w", encoding="utf-8") as f:
                f.write(program)
            try:
                r = run_limited(self.argv(path, time_limit, log, extra), timeout=timeout,
                                memory_mb=self.memory_mb, cwd=tmp,
                                env=dict(os.environ, LC_ALL="C.UTF-8"))
            except OSError as e:
                return Reply("unavailable", "", 0.0, f"cannot run dafny: {e}")
            output = r.stdout + r.stderr
            if os.path.exists(log):
                with open(log, encoding="utf-8", errors="replace") as f:
                    output += "\n" + f.read()
        if r.timed_out:
            return Reply("timeout", output, r.seconds, "hard time limit", r.returncode)
        crash = _CRASH_LINE.search(output)
        if r.returncode not in _NORMAL_EXITS or crash:
            oom = _OUT_OF_MEMORY.search(output)
            if oom and self.memory_mb:
                return Reply("memory", output, r.seconds,
                             f"dafny ran out of memory under the {self.memory_mb} MiB cap ({oom.group()})", r.returncode)
            what = _line_at(output, crash.start()) if crash else "no crash message"
            return Reply("crashed", output, r.seconds, f"dafny exited with status {r.returncode}: {what}", r.returncode)
        return Reply("done", output, r.seconds, "", r.returncode)


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end >= 0 else len(text)].strip()[:300]


_SUMMARY = re.compile(r"finished with (\d+) verified, (\d+) errors?")


@dataclass
class FileOutcome:
    """One `dafny` run classified with the vocabulary of the data's `dafny_2_3` records."""

    status: str  # verified | verify_errors | parse_error | resolution_error | timeout | other_error
    output: str
    seconds: float


def verify_program(program: str, timeout: float = 60.0, memory_mb: int | None = 4096,
                   dafny: str | None = None) -> FileOutcome:
    """Run the installed Dafny once on `program`, exactly as-is (no gate, no bridge).

    For measurements and tests that need the plain verifier's outcome; candidates go through
    `DafnyVerifier`, which adds the soundness gate, the dialect bridge and the verdict model.
    """
    from .toolchain import detect

    reply = CliRunner(detect(dafny), memory_mb=memory_mb).run(program, timeout, max(1, int(timeout)))
    out = reply.output
    if reply.kind == "timeout":
        status = "timeout"
    elif "parse errors detected" in out:
        status = "parse_error"
    elif "resolution/type errors detected" in out:
        status = "resolution_error"
    elif (m := _SUMMARY.search(out)) and reply.kind == "done":
        status = "verified" if m.group(2) == "0" and reply.returncode == 0 else "verify_errors"
    else:
        status = "other_error"
    return FileOutcome(status, out, reply.seconds)
