"""Issue 23, class F, with the real Dafny: `prover validate` and the validator self-play runs.

On d038b22 a lemma header with `decreases`, `returns` or `reads` got no vacuity check (`parse_lemma`
gave None), tautologies (`ensures x == x`, `ensures true`, `ensures x > 0 && x < 0 ==> x == 5`) were
valid, and a `requires` that is not well-formed (`s[0]` where `s` may be empty) was valid. Each is
now decided on Dafny's own reading: vacuity by proving the lemma with `ensures false` and every other
clause kept, tautology by proving it with no `requires` and an empty body, well-formedness by
Dafny's `CheckWellformed` of the spec. The command reads {"id", "statement"} and writes
{"id", "status", "reason"}; it resumes from its output.
"""

from __future__ import annotations

import json
import shutil

import pytest

from prover.cli import main

pytestmark = pytest.mark.skipif(shutil.which("dafny") is None, reason="needs the dafny verifier")

SUM = "function Sum(n: nat): nat\n{\n  if n == 0 then 0 else n + Sum(n - 1)\n}\n\n"
ITEMS = {
    "vacuous-decreases": ("lemma C(n: nat)\n  requires n < 0\n  ensures n == 7\n  decreases n\n", "vacuous"),
    "vacuous-returns": ("lemma R(n: int) returns (m: int)\n  requires n > 0 && n < 0\n  ensures m == n\n", "vacuous"),
    "vacuous-unfolding": (SUM + "lemma {:induction false} V(n: nat)\n  requires Sum(n) < 0\n  ensures Sum(n) == 7\n  decreases n\n", "vacuous"),
    "taut-refl": ("lemma T(x: int)\n  ensures x == x\n", "tautology"),
    "taut-true": ("lemma U(x: int)\n  ensures true\n", "tautology"),
    "taut-implies": ("lemma W(x: int)\n  ensures x > 0 && x < 0 ==> x == 5\n", "tautology"),
    "ill-requires": ("lemma I(s: seq<int>)\n  requires s[0] > 0\n  ensures |s| > 0\n", "ill-formed"),
    "ill-name": ("lemma J(n: nat)\n  ensures Foo(n) > 0\n", "ill-formed"),
    "valid": (SUM + "lemma {:induction false} S(n: nat)\n  ensures 2 * Sum(n) == n * (n + 1)\n", "valid"),
    "valid-decreases": (SUM + "lemma {:induction false} D(n: nat)\n  requires n > 3\n  ensures Sum(n) >= 6\n  decreases n\n", "valid"),
    "dup": (SUM + "lemma {:induction false} S(n: nat)\n    ensures 2 * Sum(n)  == n * (n + 1)\n", "duplicate"),
    "axiom": ("lemma {:axiom} A(x: int)\n  ensures x > 0\n", "rejected"),
}


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    d = tmp_path_factory.mktemp("validate")
    src, dst = d / "in.jsonl", d / "out.jsonl"
    lines = [json.dumps({"id": k, "statement": s}) for k, (s, _) in ITEMS.items()]
    lines += ['{"id": "nostatement"}', "not json"]
    src.write_text("\n".join(lines) + "\n")
    assert main(["validate", "--lang", "dafny", "--jsonl", str(src), "--out", str(dst), "--no-cache", "--workers", "2"]) == 0
    return src, dst


def _records(path) -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, path.read_text().splitlines())}


def test_every_status_is_decided_on_dafnys_reading(out):
    got = _records(out[1])
    for k, (_, want) in ITEMS.items():
        assert got[k]["status"] == want, (k, got[k])
    assert got["nostatement"]["status"] == "unparsed" and got["line14"]["status"] == "unparsed"
    assert set(got["valid"]) == {"id", "status", "reason"}


def test_a_resumed_run_adds_nothing(out):
    src, dst = out
    before = dst.read_text()
    assert main(["validate", "--lang", "dafny", "--jsonl", str(src), "--out", str(dst), "--no-cache"]) == 0
    assert dst.read_text() == before
