"""A statement that leaves nothing to prove (empty, only comments, no goal) is a `task:` error
everywhere: the verifiers' gates, `verify --spec`, `verify --jsonl`, eval (excluded with the reason),
named benchmarks (left out with the reason) and training (refuses to start). Issue 22, item 1."""

import json
import shutil

import pytest

from prover.cli import main
from verifier_core.records import Candidate, Task
from prover.verifiers import statement_problem

PROOF = "lemma T()\n  ensures 1 + 1 == 2\n{\n}\n"
needs_dafny = pytest.mark.skipif(shutil.which("dafny") is None, reason="no Dafny installed")


@pytest.mark.parametrize("statement, kind", [
    ("", "prove"),
    ("  \n// only a comment\n/* and a block */\n", "prove"),
    ("datatype D = A | B\nfunction F(x: int): int { x + 1 }\n", "prove"),
    ("function F(x: int): int { x + 1 }\nmethod M() { }\n", "implement"),
    ("// lemma L() ensures false\n", "hints"),
    ("method M() returns (r: int) { r := 1; }\nmethod N() { var x := M(); }\n", "prove"),  # bodies given, no ensures
])
def test_dafny_statements_with_nothing_to_prove(statement, kind):
    assert statement_problem(Task("t", "dafny", statement, kind=kind)).startswith("task:empty: ")


@pytest.mark.parametrize("statement, kind", [
    ("lemma L(x: int)\n  ensures x + 1 > x\n", "prove"),
    ("function F(x: int): int\n", "implement"),
    ("function F(x: nat): nat { if x == 0 then 0 else F(x - 1) }\n", "hints"),  # termination is a goal of a hints task
])
def test_dafny_statements_with_a_goal(statement, kind):
    assert statement_problem(Task("t", "dafny", statement, kind=kind)) == ""


@pytest.mark.parametrize("statement", ["", "-- a comment\n/- block -/\n", "def f : Nat := 1\n"])
def test_lean_statements_with_nothing_to_prove(statement):
    problem = statement_problem(Task("t", "lean", statement))
    assert problem.startswith("task:empty" if "def" not in statement else "task:unparsable"), problem
    assert statement_problem(Task("t", "lean", "theorem foo (n : Nat) : n + 0 = n := by")) == ""


def test_lean_verifier_answers_task_error_without_lean():
    from lean_env import LeanVerifier

    v = LeanVerifier(command=["/nonexistent/repl"])
    out = v.check(Task("t", "lean", "-- nothing here\n"), Candidate("t", "theorem x : True := by trivial"))
    assert out.status == "error" and out.reason.startswith("task:empty"), out


@needs_dafny
def test_dafny_verifier_answers_task_error():
    from dafny_env import DafnyVerifier

    with DafnyVerifier(workers=1) as v:
        out = v.check(Task("t", "dafny", "// nothing\n"), Candidate("t", PROOF))
    assert out.status == "error" and out.reason.startswith("task:empty"), out


@needs_dafny
@pytest.mark.parametrize("spec", ["", "// only a comment\n"])
def test_verify_spec_refuses_an_empty_spec(tmp_path, capsys, spec):
    (tmp_path / "e.dfy").write_text(spec)
    (tmp_path / "t.dfy").write_text(PROOF)
    rc = main(["verify", "--lang", "dafny", "--spec", str(tmp_path / "e.dfy"), str(tmp_path / "t.dfy"),
               "--no-cache", "--no-progress"])
    out = capsys.readouterr()
    assert rc == 2 and '"verified"' not in out.out
    assert "task:empty" in out.err and len(out.err.strip().splitlines()) == 1


@needs_dafny
def test_verify_jsonl_answers_task_error_per_line(tmp_path, capsys):
    rows = [{"id": "empty", "statement": "/* nothing */", "candidate": PROOF},
            {"id": "good", "statement": "lemma T()\n  ensures 1 + 1 == 2\n", "candidate": "{\n}"}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    main(["verify", "--lang", "dafny", "--jsonl", str(src), "--no-cache", "--no-progress"])
    recs = {r["id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert recs["empty"]["status"] == "error" and recs["empty"]["reason"].startswith("task:empty")
    assert recs["good"]["status"] == "verified"


@needs_dafny
def test_eval_excludes_an_empty_statement_with_the_reason(tmp_path, capsys):
    rows = [{"id": "empty", "lang": "dafny", "statement": "// nothing to prove\n"},
            {"id": "good", "lang": "dafny", "statement": "lemma Good(x: int)\n  ensures x + 1 > x\n"}]
    bench = tmp_path / "tasks.jsonl"
    bench.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "run"
    rc = main(["eval", "--bench", str(bench), "--policy", "portfolio", "--samples", "1", "--k", "1",
               "--workers", "1", "--out", str(out), "--no-progress"])
    assert rc == 0, capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text())
    excluded = {e["task_id"]: e["reason"] for e in summary["excluded"]}
    assert set(excluded) == {"empty"} and excluded["empty"].startswith("task:empty")
    assert summary["tasks"] == 1
    attempts = [json.loads(line) for line in (out / "attempts.jsonl").read_text().splitlines()]
    assert {a["task_id"] for a in attempts} == {"good"}


def test_named_benchmarks_leave_out_empty_statements(tmp_path):
    from prover import benchmarks

    data = tmp_path / "data"
    (data / "dafny" / "dafnybench").mkdir(parents=True)
    ref = "lemma L(x: int)\n  ensures x + 1 > x\n{\n}\n"
    recs = [{"id": "db_1", "reference": ref, "spec_only": ref, "dafny_2_3": {"status": "verified"}},
            {"id": "db_2", "reference": "// gone\n", "spec_only": "// gone\n", "dafny_2_3": {"status": "verified"}}]
    (data / "dafny" / "dafnybench" / "dafnybench.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    tasks, skipped = benchmarks.load_with_exclusions("dafnybench", data_dir=data, toolchain="")
    assert [t.id for t in tasks] == ["db_1"]
    assert [tid for tid, _ in skipped] == ["db_2"] and skipped[0][1].startswith("task:empty")


def test_training_refuses_a_task_file_with_an_empty_statement(tmp_path):
    from prover.train.tasks import TaskSetConfig, train_and_heldout

    rows = [{"id": f"t{i}", "lang": "dafny", "statement": f"lemma L{i}(x: int)\n  ensures x + {i} >= x\n"}
            for i in range(6)] + [{"id": "blank", "lang": "dafny", "statement": "  \n"}]
    f = tmp_path / "tasks.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(ValueError, match="blank: task:empty"):
        train_and_heldout(TaskSetConfig(train=[str(f)], test_benchmarks=[]))
