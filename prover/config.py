"""Where data, caches and models live; every path can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The dataset root: `$PROVER_DATA_DIR`, else `../shared/data` beside the checkout, else the cache.

    CI and the team's machines have the datasets at `../shared/data`; elsewhere benchmarks are
    downloaded on first use into `cache_dir()/data`.
    """
    env = os.environ.get("PROVER_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    beside = REPO_ROOT.parent / "shared" / "data"
    if beside.is_dir():
        return beside
    return cache_dir() / "data"


def cache_dir() -> Path:
    """`$PROVER_CACHE_DIR`, else `$XDG_CACHE_HOME/prover`, else `~/.cache/prover`."""
    env = os.environ.get("PROVER_CACHE_DIR")
    if env:
        return Path(env).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "prover"


def verdict_cache_path() -> str | None:
    """The persistent verdict cache file, or None when `PROVER_NO_CACHE` is set."""
    if os.environ.get("PROVER_NO_CACHE"):
        return None
    return str(cache_dir() / "verdicts.sqlite")


def models_dir() -> Path:
    return cache_dir() / "models"
