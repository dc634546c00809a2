"""Every `PROVER_*` environment variable, read in one place, and the paths derived from them.

`current()` reads the environment at each call (tests and subprocesses set variables after import);
the rest of the project asks it instead of `os.environ`, so this table is the whole list.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
_OFF = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    """The project's environment switches; an empty string means unset."""

    data_dir: str = ""          # PROVER_DATA_DIR: dataset root
    cache_dir: str = ""         # PROVER_CACHE_DIR: verdict cache, models, downloads
    no_cache: bool = False      # PROVER_NO_CACHE: no persistent verdict cache
    runs_dir: str = "runs"      # PROVER_RUNS_DIR: where `prover search` writes traces
    torch_threads: int = 1      # PROVER_TORCH_THREADS: torch threads on CPU
    dafny_aot: bool = True      # PROVER_DAFNY_AOT: ahead-of-time compiled Dafny assemblies
    z3: str = ""                # PROVER_Z3: the z3 executable Dafny runs (default: the z3-solver wheel's)
    lean_repl: str = ""         # PROVER_LEAN_REPL: a shell-quoted command that starts a REPL
    lean_project: str = ""      # PROVER_LEAN_PROJECT: a built Lake project with the REPL
    selfplay_kill_at: str = ""  # PROVER_SELFPLAY_KILL_AT: `step:N`, fault injection for resume tests


def current() -> Settings:
    env = os.environ.get
    return Settings(
        data_dir=env("PROVER_DATA_DIR", ""),
        cache_dir=env("PROVER_CACHE_DIR", ""),
        no_cache=bool(env("PROVER_NO_CACHE")),
        runs_dir=env("PROVER_RUNS_DIR") or "runs",
        torch_threads=int(env("PROVER_TORCH_THREADS") or 1),
        dafny_aot=env("PROVER_DAFNY_AOT", "1").strip().lower() not in _OFF,
        z3=env("PROVER_Z3", ""),
        lean_repl=env("PROVER_LEAN_REPL", ""),
        lean_project=env("PROVER_LEAN_PROJECT", ""),
        selfplay_kill_at=env("PROVER_SELFPLAY_KILL_AT", ""),
    )


def data_dir() -> Path:
    """The dataset root: `$PROVER_DATA_DIR`, else `../shared/data` beside the checkout, else the cache.

    CI and the team's machines have the datasets at `../shared/data`; elsewhere benchmarks are
    downloaded on first use into `cache_dir()/data`.
    """
    s = current()
    if s.data_dir:
        return Path(s.data_dir).expanduser().resolve()
    beside = REPO_ROOT.parent / "shared" / "data"
    if beside.is_dir():
        return beside
    return cache_dir() / "data"


def cache_dir() -> Path:
    """`$PROVER_CACHE_DIR`, else `$XDG_CACHE_HOME/prover`, else `~/.cache/prover`."""
    s = current()
    if s.cache_dir:
        return Path(s.cache_dir).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "prover"


def verdict_cache_path() -> str | None:
    """The persistent verdict cache file, or None when `PROVER_NO_CACHE` is set."""
    if current().no_cache:
        return None
    return str(cache_dir() / "verdicts.sqlite")


def models_dir() -> Path:
    return cache_dir() / "models"
