"""Client for one `leanprover-community/repl` process, and the records its responses parse into.

Protocol (REPL README, checked against its test transcripts at v4.9.0-rc1, v4.24.0 and v4.33.0-rc2):
a request is one JSON object followed by a blank line; the REPL answers each with one JSON object,
pretty-printed over several lines, followed by a blank line. Requests used here:
  * command mode `{"cmd": text, "env"?: n}` plus options `allTactics`, `rootGoals`, `infotree`;
    without `env` a fresh environment is made (only then may the text `import`); env ids count from 0;
  * file mode `{"path": file, "allTactics"?: bool}`;
  * tactic mode `{"tactic": text, "proofState": n}` (proofState ids come from `sorries`);
  * pickling `{"pickleTo": file, "env"|"proofState": n}`, `{"unpickleEnvFrom": file}`,
    `{"unpickleProofStateFrom": file, "env"?: n}`.
A request the REPL cannot serve (unknown env or proof state, a tactic that does not parse) is
answered `{"message": text}`, parsed into `ReplResponse.error`.

The REPL's own limits cannot stop a runaway elaboration (repl PR #92), so every limit here is
enforced from outside: the process runs in its own process group under an address-space cap
(`verifier_core.procs.popen_limited`), and a timeout or RSS overrun kills the whole group. I/O is
hand-written over `select` rather than pexpect because one loop has to watch the deadline, the
group's RSS and a non-blocking write of large requests at once.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from verifier_core.procs import group_rss_mb, kill_group, popen_limited

Position = tuple[int, int]
RSS_POLL_SECONDS = 0.2
STDERR_TAIL_BYTES = 4000


class ReplError(Exception):
    """The REPL process failed to answer; it has been killed (whole process group)."""


class ReplTimeout(ReplError):
    """No complete response within the request's time limit."""


class ReplCrash(ReplError):
    """The process exited or closed its output before a complete response."""


class ReplProtocolError(ReplCrash):
    """The process printed something that is not one REPL response (garbage, not JSON)."""


class ReplMemoryExceeded(ReplCrash):
    """The process group's resident memory went over the watchdog limit."""


def _position(value: Any) -> Position | None:
    if isinstance(value, dict) and "line" in value and "column" in value:
        return int(value["line"]), int(value["column"])
    return None


@dataclass
class LeanMessage:
    """A message Lean reported: severity `trace|info|warning|error`, 1-based line, 0-based column."""

    severity: str
    data: str
    pos: Position | None = None
    end_pos: Position | None = None

    @property
    def endPos(self) -> Position | None:  # noqa: N802 - the REPL's JSON name, kept as an alias
        return self.end_pos

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "LeanMessage":
        return cls(str(d.get("severity", "")), str(d.get("data", "")),
                   _position(d.get("pos")), _position(d.get("endPos")))


@dataclass
class Sorry:
    """A `sorry` in a command (with its position) or left by a tactic (no position)."""

    goal: str
    proof_state: int | None = None
    pos: Position | None = None
    end_pos: Position | None = None

    @property
    def proofState(self) -> int | None:  # noqa: N802 - the REPL's JSON name, kept as an alias
        return self.proof_state

    @property
    def endPos(self) -> Position | None:  # noqa: N802
        return self.end_pos

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Sorry":
        ps = d.get("proofState")
        return cls(str(d.get("goal", "")), int(ps) if ps is not None else None,
                   _position(d.get("pos")), _position(d.get("endPos")))


@dataclass
class TacticInfo:
    """One tactic of a command run with `allTactics`: its text, the goals before it, its proof state."""

    tactic: str
    goals: str
    proof_state: int | None = None
    pos: Position | None = None
    end_pos: Position | None = None
    used_constants: list[str] | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "TacticInfo":
        ps = d.get("proofState")
        used = d.get("usedConstants")
        return cls(str(d.get("tactic", "")), str(d.get("goals", "")), int(ps) if ps is not None else None,
                   _position(d.get("pos")), _position(d.get("endPos")),
                   [str(c) for c in used] if used is not None else None)


@dataclass
class ReplResponse:
    """One REPL response. `raw` is the parsed JSON object and `text` the bytes as printed (decoded).

    Command/file mode fill `env`, `messages`, `sorries` (and `tactics`, `infotree` when asked for);
    tactic mode fills `proof_state`, `goals`, `messages`, `sorries`, `traces` and `proof_status`
    (`Completed`, `Incomplete: ...`, `Error: ...`; recorded at v4.24.0 and v4.33.0-rc2, absent at
    v4.9.0-rc1); a refused request fills only `error`.
    """

    raw: dict[str, Any]
    env: int | None = None
    messages: list[LeanMessage] = field(default_factory=list)
    sorries: list[Sorry] = field(default_factory=list)
    tactics: list[TacticInfo] = field(default_factory=list)
    proof_state: int | None = None
    goals: list[str] | None = None
    proof_status: str | None = None
    error: str | None = None
    traces: list[str] | None = None
    infotree: list[Any] | None = None
    text: str = ""

    @classmethod
    def from_json(cls, raw: dict[str, Any], text: str = "") -> "ReplResponse":
        """Parse a response object; raises ValueError on a shape the REPL never prints."""
        if not isinstance(raw, dict):
            raise ValueError(f"a REPL response is a JSON object, got {type(raw).__name__}")
        try:
            env, ps = raw.get("env"), raw.get("proofState")
            goals, traces = raw.get("goals"), raw.get("traces")
            return cls(
                raw=raw,
                env=int(env) if env is not None else None,
                messages=[LeanMessage.from_json(m) for m in raw.get("messages") or []],
                sorries=[Sorry.from_json(s) for s in raw.get("sorries") or []],
                tactics=[TacticInfo.from_json(t) for t in raw.get("tactics") or []],
                proof_state=int(ps) if ps is not None else None,
                goals=[str(g) for g in goals] if goals is not None else None,
                proof_status=raw.get("proofStatus"),
                error=raw.get("message"),
                traces=[str(t) for t in traces] if traces is not None else None,
                infotree=raw.get("infotree"),
                text=text,
            )
        except (TypeError, ValueError, AttributeError) as e:
            raise ValueError(f"unexpected REPL response shape: {e}") from e

    @property
    def errors(self) -> list[LeanMessage]:
        """The messages of severity `error`."""
        return [m for m in self.messages if m.severity == "error"]


def command_request(cmd: str, env: int | None = None, *, all_tactics: bool = False,
                    root_goals: bool = False, infotree: str | None = None) -> dict[str, Any]:
    """A command-mode request; `infotree` is one of `full`, `tactics`, `original`, `substantive`."""
    req: dict[str, Any] = {"cmd": cmd}
    if env is not None:
        req["env"] = env
    if all_tactics:
        req["allTactics"] = True
    if root_goals:
        req["rootGoals"] = True
    if infotree is not None:
        req["infotree"] = infotree
    return req


def tactic_request(tactic: str, proof_state: int) -> dict[str, Any]:
    """A tactic-mode request: run `tactic` on proof state `proof_state`."""
    return {"tactic": tactic, "proofState": proof_state}


def pickle_request(path: str, *, env: int | None = None, proof_state: int | None = None) -> dict[str, Any]:
    """Save an environment or a proof state (exactly one of them) to an `.olean` file."""
    if (env is None) == (proof_state is None):
        raise ValueError("pickle exactly one of env= or proof_state=")
    return {"pickleTo": path, "env": env} if env is not None else {"pickleTo": path, "proofState": proof_state}


def unpickle_env_request(path: str) -> dict[str, Any]:
    return {"unpickleEnvFrom": path}


def unpickle_proof_state_request(path: str, env: int | None = None) -> dict[str, Any]:
    req: dict[str, Any] = {"unpickleProofStateFrom": path}
    if env is not None:
        req["env"] = env
    return req


def encode_request(request: dict[str, Any]) -> bytes:
    """One request as the REPL reads it: a single line of JSON and a blank line.

    `json.dumps` escapes every line break inside strings, so a request can never contain the blank
    line that would end it early (the REPL would also drop raw line breaks inside strings).
    """
    return json.dumps(request, ensure_ascii=False).encode("utf-8") + b"\n\n"


class ReplProcess:
    """One REPL process in its own process group with an address-space cap of `memory_mb` MiB.

    Not thread-safe: one request at a time (the pool hands each process to one thread). After any
    `ReplError` the process is dead and must be replaced.
    """

    def __init__(self, command: Sequence[str], cwd: str | None = None, memory_mb: int | None = 8192,
                 env: dict[str, str] | None = None):
        self.command = list(command)
        # stderr goes to a file, not a pipe: nobody reads it between requests, and a full pipe would
        # block the REPL. Its tail is quoted when the process dies.
        self._stderr = tempfile.TemporaryFile()
        try:
            self._proc = popen_limited(self.command, memory_mb=memory_mb, cwd=cwd, env=env, text=False,
                                       stderr=self._stderr)
        except OSError:
            self._stderr.close()
            raise
        self.pid = self._proc.pid
        self._buffer = b""
        self.requests_sent = 0

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def rss_mb(self) -> float:
        """Resident memory of the whole process group, MiB."""
        return group_rss_mb(self.pid)

    def kill(self) -> None:
        """Kill the whole process group (idempotent)."""
        kill_group(self._proc)
        self._stderr.close()

    def stderr_tail(self) -> str:
        """The last few KB the process wrote to stderr."""
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - STDERR_TAIL_BYTES))
            return self._stderr.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""

    def _fail(self, exc_type: type[ReplError], why: str) -> ReplError:
        """Kill the group and build the exception to raise, quoting the process's last stderr."""
        returncode = self._proc.poll()
        tail = self.stderr_tail()
        self.kill()
        if returncode is None:
            returncode = self._proc.returncode
        detail = why
        if returncode is not None and exc_type is ReplCrash:
            detail += f" (exit status {returncode})"
        if tail:
            detail += f"; stderr: {tail[-1000:]}"
        return exc_type(detail)

    def send(self, request: dict[str, Any], timeout: float, *, rss_limit_mb: float | None = None) -> ReplResponse:
        """Send one request and wait for its response.

        Raises `ReplTimeout` after `timeout` seconds, `ReplMemoryExceeded` when the group's RSS passes
        `rss_limit_mb`, `ReplCrash` on exit or EOF, `ReplProtocolError` on output that is not a
        response; the process group is killed before any of them is raised.
        """
        if not self.alive:
            raise self._fail(ReplCrash, "REPL process is not running")
        if self._buffer.strip():
            raise self._fail(ReplProtocolError, f"unrequested output: {self._buffer[:200]!r}")
        self._buffer = b""
        pending = encode_request(request)
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        os.set_blocking(stdin.fileno(), False)
        deadline = time.monotonic() + timeout
        next_rss_check = time.monotonic()
        self.requests_sent += 1
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise self._fail(ReplTimeout, f"no response within {timeout:g} s")
            if rss_limit_mb is not None and now >= next_rss_check:
                rss = self.rss_mb()
                if rss > rss_limit_mb:
                    raise self._fail(ReplMemoryExceeded, f"RSS {rss:.0f} MiB over the {rss_limit_mb:g} MiB limit")
                next_rss_check = now + RSS_POLL_SECONDS
            wait = min(deadline - now, RSS_POLL_SECONDS if rss_limit_mb is not None else deadline - now)
            try:
                readable, writable, _ = select.select([stdout], [stdin] if pending else [], [], wait)
            except ValueError:  # a stream was closed under us
                raise self._fail(ReplCrash, "REPL streams closed") from None
            if writable:
                try:
                    written = os.write(stdin.fileno(), pending)
                except (BrokenPipeError, ConnectionResetError):
                    raise self._fail(ReplCrash, "REPL closed its input") from None
                except BlockingIOError:
                    written = 0
                pending = pending[written:]
            if readable:
                chunk = os.read(stdout.fileno(), 1 << 16)
                if not chunk:
                    partial = self._buffer[:200]
                    try:
                        self._proc.wait(timeout=1)
                    except subprocess.TimeoutExpired:
                        pass
                    raise self._fail(ReplCrash, "REPL closed its output mid-response"
                                     + (f" after {partial!r}" if partial else ""))
                self._buffer += chunk
                response = self._take_response()
                if response is not None:
                    return response

    def _take_response(self) -> ReplResponse | None:
        """Cut one complete response (text up to the first blank line) off the read buffer."""
        # The REPL separates responses with exactly one blank line; JSON strings escape line breaks.
        self._buffer = self._buffer.lstrip(b"\n")
        end = self._buffer.find(b"\n\n")
        if end < 0:
            return None
        body, self._buffer = self._buffer[:end], self._buffer[end + 2:]
        try:
            text = body.decode("utf-8")
            return ReplResponse.from_json(json.loads(text), text)
        except (UnicodeDecodeError, ValueError) as e:
            raise self._fail(ReplProtocolError, f"not a REPL response ({e}): {body[:200]!r}") from None

    def __enter__(self) -> "ReplProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
