"""Whether a run directory holds any work: a run that stopped before doing any may start afresh."""

from __future__ import annotations

import os
from pathlib import Path

# Written when a run claims its directory, before any work: they record no result.
BOOKKEEPING = ("config.json", "tensorboard")


def did_no_work(out: str | os.PathLike) -> bool:
    """True when `out` holds nothing but the claim of a run (its config, an empty TensorBoard log)
    and empty files: restarting it without --resume loses nothing."""
    root = Path(out)
    for path in root.rglob("*"):
        if path.is_file() and path.stat().st_size > 0 and path.relative_to(root).parts[0] not in BOOKKEEPING:
            return False
    return True
