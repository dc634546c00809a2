"""Optional LeanDojo backend: the `ProofSession` interface (`start`, `apply`, `close`) over `lean_dojo`.

LeanDojo (lean-dojo 4.20, `pip install -e '.[lean]'`) runs a theorem of a *traced* repository: tracing
needs git, network access (GitHub and LeanDojo's cache) and a Lean toolchain, so this adapter only
works on such a machine. It addresses theorems by repository, file and name, not by statement text:
`start(statement)` reads the theorem's name from the statement and finds its file with `locate`
(for the miniF2F repo LeanDojo maintains, `minif2f_file`).

`lean_dojo` is imported only when a session starts, because importing it has side effects
(research/stack.md P8): it runs `git --version`, reads a `.env` file from the working directory and
replaces loguru's handlers.

Mapping of LeanDojo's results (`Dojo.run_tac`): `TacticState` -> `open`, `ProofFinished` -> `done`
(validated: LeanDojo checks the finished proof), `LeanError` -> `error`, `ProofGivenUp` (the proof
used `sorry`) -> `error`; exceptions `DojoTacticTimeoutError` -> `timeout`, `DojoCrashError` ->
`crash` (the Dojo is then closed: call `start` again), `DojoInitError` on start -> `error`.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from .proofstate import TacticResult
from .soundness import parse_statement

INSTALL_HINT = ("pip install -e '.[lean]' (lean-dojo 4.20.0); LeanDojo also needs git, network access to "
                "trace the repository and a Lean toolchain (elan)")


class LeanDojoUnavailable(RuntimeError):
    """`lean_dojo` cannot be imported here."""


def import_lean_dojo() -> Any:
    """The `lean_dojo` module, or LeanDojoUnavailable with how to install it."""
    try:
        import lean_dojo
    except ImportError as e:
        raise LeanDojoUnavailable(f"the LeanDojo backend needs the `lean_dojo` package: {INSTALL_HINT} "
                                  f"({e})") from e
    return lean_dojo


def theorem_name(statement: str) -> str:
    """The declared name in a `theorem`/`lemma` statement (ValueError if there is none)."""
    name = parse_statement(statement).name
    if not name:
        raise ValueError("no `theorem NAME` or `lemma NAME` in the statement (an `example` has no name)")
    return name


def minif2f_file(split: str) -> Callable[[str], str]:
    """A `locate` for yangky11/miniF2F-lean4: theorem `name` of `split` lives in MiniF2F/<Split>/<name>.lean."""
    folder = {"valid": "Valid", "test": "Test"}[split.lower()]
    return lambda name: f"MiniF2F/{folder}/{name}.lean"


def split_goals(pp: str) -> list[str]:
    """LeanDojo's pretty-printed state holds its goals separated by blank lines."""
    return [g for g in pp.split("\n\n") if g.strip()]


class DojoSession:
    """Tactic-by-tactic proving through LeanDojo, with the interface of `ProofSession`.

    `repo_url`/`commit` name the (traceable) Lean repository; `locate(name)` gives the file of a
    theorem, relative to the repository root. `timeout` is LeanDojo's per-tactic limit in seconds.
    """

    def __init__(self, repo_url: str, commit: str, locate: Callable[[str], str], *, timeout: int = 600,
                 additional_imports: tuple[str, ...] = ()):
        self.repo_url = repo_url
        self.commit = commit
        self.locate = locate
        self.timeout = timeout
        self.additional_imports = list(additional_imports)
        self._dojo_cm: Any = None
        self._dojo: Any = None
        self._states: dict[int, Any] = {}

    def start(self, statement: str) -> TacticResult:
        """Open a Dojo on the theorem that `statement` declares; its initial goals are the first state."""
        ld = import_lean_dojo()
        began = time.monotonic()
        self.close()
        try:
            name = theorem_name(statement)
            theorem = ld.Theorem(ld.LeanGitRepo(self.repo_url, self.commit), self.locate(name), name)
            cm = ld.Dojo(theorem, timeout=self.timeout, additional_imports=self.additional_imports)
            dojo, init_state = cm.__enter__()
        except ld.DojoCrashError as e:
            return TacticResult("crash", error=f"LeanDojo crashed while starting: {e}",
                                seconds=time.monotonic() - began)
        except ld.DojoTacticTimeoutError as e:
            return TacticResult("timeout", error=str(e), seconds=time.monotonic() - began)
        except (ld.DojoInitError, ValueError) as e:
            return TacticResult("error", error=f"{type(e).__name__}: {e}", seconds=time.monotonic() - began)
        self._dojo_cm, self._dojo = cm, dojo
        self._states = {init_state.id: init_state}
        return TacticResult("open", init_state.id, split_goals(init_state.pp), seconds=time.monotonic() - began)

    def apply(self, proof_state: int, tactic: str) -> TacticResult:
        """Run `tactic` on a state id returned by `start` or an earlier `apply` of this session."""
        if self._dojo is None:
            return TacticResult("error", error="no live Dojo: call start() first (or again after a crash)")
        state = self._states.get(proof_state)
        if state is None:
            return TacticResult("error", error=f"unknown proof state {proof_state}")
        ld = import_lean_dojo()
        began = time.monotonic()
        try:
            result = self._dojo.run_tac(state, tactic)
        except ld.DojoTacticTimeoutError as e:
            self.close()
            return TacticResult("timeout", error=str(e) or "tactic timed out", seconds=time.monotonic() - began)
        except ld.DojoCrashError as e:
            self.close()
            return TacticResult("crash", error=f"LeanDojo crashed: {e}", seconds=time.monotonic() - began)
        seconds = time.monotonic() - began
        if isinstance(result, ld.TacticState):
            self._states[result.id] = result
            return TacticResult("open", result.id, split_goals(result.pp), seconds=seconds)
        if isinstance(result, ld.ProofFinished):
            return TacticResult("done", result.tactic_state_id, [], validated=True, seconds=seconds)
        if isinstance(result, ld.ProofGivenUp):
            return TacticResult("error", error="the proof uses `sorry`", seconds=seconds)
        if isinstance(result, ld.LeanError):
            return TacticResult("error", error=result.error, seconds=seconds)
        return TacticResult("error", error=f"unexpected LeanDojo result {result!r}", seconds=seconds)

    def close(self) -> None:
        """Shut the Dojo (LeanDojo kills its Lean process)."""
        cm, self._dojo_cm, self._dojo, self._states = self._dojo_cm, None, None, {}
        if cm is not None:
            cm.__exit__(None, None, None)

    def __enter__(self) -> "DojoSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
