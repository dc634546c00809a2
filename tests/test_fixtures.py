"""The fixtures shipped in `tests/fixtures/` are what their README says: unmodified copies of the
team's data (checked wherever that data dir is present), with their provenance written beside them."""

from __future__ import annotations

import json

from tests.helpers.datasets import FIXTURES, dafnybench_sample, dataset, needs_dataset
from tests.helpers.lean_transcripts import LABELS, TRANSCRIPTS, manifest


def test_provenance_and_licence_are_shipped_beside_the_fixtures():
    readme = (FIXTURES / "README.md").read_text()
    assert "Apache License" in (FIXTURES / "LICENSE-Apache-2.0").read_text()
    for m in manifest():
        assert m["repo"] == "leanprover-community/repl" and m["licence"] == "Apache-2.0"
        assert m["commit"] in readme
    for r in dafnybench_sample():
        commit = r["source"].split("@", 1)[1].split(":", 1)[0]
        assert r["source"].startswith("sun-wendy/DafnyBench@") and commit in readme


def test_every_transcript_pair_of_the_manifest_is_shipped():
    assert sorted(m["dir"] for m in manifest()) == sorted(LABELS)
    for m in manifest():
        for pair in m["pairs"]:
            assert (TRANSCRIPTS / m["dir"] / pair["input"]).is_file()
            assert not pair["expected"] or (TRANSCRIPTS / m["dir"] / pair["expected"]).is_file()


@needs_dataset("lean_repl_transcripts/MANIFEST.json")
def test_shipped_transcripts_equal_the_data_dir():
    shared = dataset("lean_repl_transcripts")
    ours = {p.relative_to(TRANSCRIPTS): p.read_bytes() for p in TRANSCRIPTS.rglob("*") if p.is_file()}
    theirs = {p.relative_to(shared): p.read_bytes() for p in shared.rglob("*") if p.is_file()}
    assert ours == theirs


@needs_dataset("dafny/dafnybench/dafnybench.jsonl")
def test_shipped_dafnybench_rows_equal_the_data_dir():
    rows = {}
    with dataset("dafny/dafnybench/dafnybench.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rows[r["id"]] = r
    for r in dafnybench_sample():
        assert {k: rows[r["id"]][k] for k in r} == r
