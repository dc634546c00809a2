"""The vericoding-dafny benchmark: tasks from the vc-* sections, the placeholder body never in the spec,
poor specs left out, solutions attached; checked with the real Dafny (through the 4 -> 2.3 bridge)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prover import vericoding
from verifier_core.settings import data_dir
from verifier_core.records import Candidate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
needs_dafny = pytest.mark.skipif(shutil.which("dafny") is None, reason="no Dafny installed")


def test_fixture_tasks_leave_out_the_placeholder_and_the_poor_specs():
    tasks = {t.id: t for t in vericoding.load(FIXTURES)}
    assert sorted(tasks) == ["DH9000", "DH9001"]  # DH9002 is listed in the poor file
    t = tasks["DH9000"]
    assert t.kind == "implement" and t.lang == "dafny"
    assert "assume" not in t.statement and "{:axiom}" not in t.statement
    assert t.statement.rstrip().endswith("ensures m == Max(a, b)")
    assert t.meta["reference_body"].startswith("{") and "m := a" in t.meta["reference_body"]
    # a solution that adds helpers is kept whole, but has no body-only form
    assert "reference" in tasks["DH9001"].meta and "reference_body" not in tasks["DH9001"].meta


def test_load_file_reads_both_formats(tmp_path):
    import json

    f = tmp_path / "mixed.jsonl"
    rec = json.loads((FIXTURES / "vericoding/benchmarks/dafny/humaneval/dafny_humaneval.jsonl").read_text().splitlines()[0])
    own = {"id": "own/1", "lang": "dafny", "kind": "prove", "statement": "lemma L()\n  ensures true"}
    f.write_text(json.dumps(rec) + "\n" + json.dumps(own) + "\n")
    a, b = vericoding.load_file(f)
    assert a.id == "DH9000" and a.kind == "implement" and "assume" not in a.statement
    assert b.id == "own/1" and b.kind == "prove"


def test_a_record_without_the_sections_is_a_clear_error():
    with pytest.raises(vericoding.VericodingError, match="missing vc-spec"):
        vericoding.statement_of({"id": "x", "vc-preamble": "", "vc-code": "{}"})


@needs_dafny
def test_solutions_verify_and_the_placeholder_is_rejected():
    from dafny_env.verifier import DafnyVerifier

    tasks = {t.id: t for t in vericoding.load(FIXTURES)}
    with DafnyVerifier(workers=1, timeout=60) as v:
        body = v.check(tasks["DH9000"], Candidate("DH9000", tasks["DH9000"].meta["reference_body"]))
        whole = v.check(tasks["DH9001"], Candidate("DH9001", tasks["DH9001"].meta["reference"]))
        cheat = v.check(tasks["DH9000"], Candidate("DH9000", "{\n  assume {:axiom} false;\n}"))
        empty = v.check(tasks["DH9000"], Candidate("DH9000", "{\n}"))
    assert body.status == "verified", body.reason
    assert whole.status == "verified", whole.reason  # helpers added beside the spec are allowed
    assert cheat.status == "rejected"
    assert empty.status == "failed"


def test_the_benchmark_by_name():
    root = data_dir()
    if not (root / vericoding.BENCH_DIR).is_dir():
        pytest.skip(f"no vericoding data under {root} (set PROVER_DATA_DIR)")
    from prover.benchmarks import load_with_exclusions

    tasks, skipped = load_with_exclusions("vericoding-dafny")
    assert len(tasks) + len(skipped) == 2198
    # 9 empty vc-specs; the rest hold text that is no Dafny at all (LLM prose such as `Looking at ...`),
    # which no verifier reads: a `task:` reason each, as every named benchmark gives
    assert sum("empty vc-spec" in why for _, why in skipped) == 9
    assert all("empty vc-spec" in why or why.startswith("task:") for _, why in skipped)
    # no placeholder anywhere: some specs give several members, each with its own placeholder body
    assert not any("assume {:axiom} false" in t.statement for t in tasks)
    assert sum("reference" in t.meta for t in tasks) > 1600


@needs_dafny
def test_the_bench_prints_per_source_counts_and_resumes(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "vc.jsonl"
    cmd = [sys.executable, str(root / "bench" / "vericoding_dafny.py"), "--data-dir", str(FIXTURES), "--out", str(out)]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    # 2 tasks, both specs read, both solutions verify, the empty body solves none
    assert "humaneval            2          2         2           2          0" in first.stdout
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert again.stdout == first.stdout and "[1/2]" not in again.stderr  # nothing checked twice
