"""What the tests know about datasets: the team's data dir (real benchmarks, skip when absent) and the
small samples shipped in `tests/fixtures/` (always there)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from verifier_core.settings import data_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _missing_reason(relpaths: tuple[str, ...]) -> str | None:
    missing = [r for r in relpaths if not (data_dir() / r).exists()]
    if not missing:
        return None
    return (f"dataset {', '.join(missing)} not under {data_dir()}: a real-benchmark test; set "
            "PROVER_DATA_DIR to the team's data (../shared/data beside the checkout is found by itself)")


def needs_dataset(*relpaths: str) -> pytest.MarkDecorator:
    """Skip the test, saying what is missing and where it was looked for, unless every path exists."""
    reason = _missing_reason(relpaths)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def dataset(relpath: str) -> Path:
    """`data_dir() / relpath`, or skip the running test with the reason."""
    reason = _missing_reason((relpath,))
    if reason:
        pytest.skip(reason)
    return data_dir() / relpath


def dafnybench_sample() -> list[dict]:
    """The DafnyBench rows shipped in `fixtures/dafnybench_sample.jsonl.gz` (see `fixtures/README.md`)."""
    with gzip.open(FIXTURES / "dafnybench_sample.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]
