"""What a round and its steps read from the self-play run (`SelfPlay` provides it), so that the steps
do not depend on the run's class."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:
    from verifier_core.records import Task, Verdict

    from .config import SelfPlayConfig
    from .resources import Resources


class RunContext(Protocol):
    cfg: "SelfPlayConfig"
    out: Path  # the run directory
    originals: list["Task"]  # every loaded statement (all count for duplicates)
    by_id: dict[str, "Task"]
    heldout: list["Task"]
    resources: "Resources"  # policies and checker factories
    progress: bool
    # test doubles for the real verifiers (None: use them): a REPL runner (header, request) ->
    # PoolResult for elaborating statements, and the audit's (task, proof) -> Verdict
    lean_command: Callable[[str, dict], Any] | None
    fresh_check: Callable[["Task", str], "Verdict"] | None
