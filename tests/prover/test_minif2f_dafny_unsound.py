"""miniF2F-Dafny statements upstream calls false or unprovable (dafny-lang/miniF2F#8, PR #9) are marked."""

from __future__ import annotations

import pytest

from prover.benchmarks import minif2f_dafny_unsound
from verifier_core.settings import data_dir


def test_the_list_names_problems_of_both_splits():
    marked = minif2f_dafny_unsound()
    assert len(marked) == 10 and "imo_1962_p2" in marked and "mathd_numbertheory_202" in marked


def test_tasks_carry_the_mark():
    if not (data_dir() / "minif2f_dafny" / "minif2f_dafny.jsonl").is_file():
        pytest.skip(f"no miniF2F-Dafny data under {data_dir()} (set PROVER_DATA_DIR)")
    from prover.benchmarks import load_benchmark

    test = {t.id: t for t in load_benchmark("minif2f-dafny-test")}
    valid = {t.id: t for t in load_benchmark("minif2f-dafny-valid")}
    assert "sqrt(31" in test["imo_1962_p2"].statement and "1 - sqrt 31 / 8" in test["imo_1962_p2"].meta["upstream_unsound"]
    assert sum("upstream_unsound" in t.meta for t in test.values()) == 7
    assert sum("upstream_unsound" in t.meta for t in valid.values()) == 3
    assert "upstream_unsound" not in test["imo_1959_p1"].meta
