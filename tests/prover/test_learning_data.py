"""Training data for learning real proofs: hash-ordered limits (D1), cross-benchmark dedup (D5), the
SFT corpus of verified solutions (D3's data) and the token budget from the data (D2)."""

from __future__ import annotations

import shutil

import pytest

from verifier_core.settings import data_dir
from verifier_core.records import Task
from prover.train import corpus, dedup
from prover.train.tasks import TaskSetConfig, split_tasks, train_and_heldout

needs_dafny = pytest.mark.skipif(shutil.which("dafny") is None, reason="no Dafny installed")

CLOVER_LIKE = """method Abs(x: int) returns (y: int)
  // the absolute value
  ensures y >= 0
  ensures x >= 0 ==> y == x
  ensures x < 0 ==> y == -x
{
  if x < 0 { y := -x; } else { y := x; }
}
"""


def test_limit_takes_tasks_in_hash_order_not_file_order():
    # team.jsonl is sorted by difficulty: its first 8 tasks are all difficulty-1 lemmas `{}` proves
    train, _ = train_and_heldout(TaskSetConfig(train=["dafny-team"], limit=8, test_benchmarks=[]))
    assert len({t.meta["difficulty"] for t in train}) > 1
    assert not all(t.meta.get("empty_body_verifies") for t in train)
    everything, _ = train_and_heldout(TaskSetConfig(train=["dafny-team"], test_benchmarks=[]))
    assert [t.id for t in train] == [t.id for t in everything[:8]]


def test_fingerprint_ignores_comments_whitespace_and_names():
    renamed = CLOVER_LIKE.replace("Abs", "Absolute").replace("x", "n").replace("// the absolute value", "")
    assert dedup.fingerprint(renamed) == dedup.fingerprint("  ".join(CLOVER_LIKE.split(" ")))
    assert dedup.fingerprint(renamed) == dedup.fingerprint(CLOVER_LIKE)
    assert dedup.fingerprint(CLOVER_LIKE.replace("y >= 0", "y > 0")) != dedup.fingerprint(CLOVER_LIKE)


def test_near_duplicates_by_token_trigrams():
    index = dedup.Index([("clover/abs", CLOVER_LIKE)])
    exact = index.closest("t1", CLOVER_LIKE.replace("Abs", "MyAbs"))
    assert exact is not None and exact.exact and exact.other == "clover/abs"
    near = index.closest("t2", CLOVER_LIKE.replace("ensures y >= 0\n", "ensures y >= 0 && y >= y\n"))
    assert near is not None and not near.exact and near.similarity >= dedup.NEAR
    other = index.closest("t3", "lemma Sum(n: nat)\n  ensures n + 0 == n\n{\n}\n")
    assert other is None


def test_train_tasks_that_duplicate_a_test_item_are_dropped_and_counted(monkeypatch):
    from prover.train import tasks as tasks_mod

    mine = [Task(f"mine/{i}", "dafny", f"lemma L{i}(n: nat)\n  ensures n + {i} >= {i}\n") for i in range(20)]
    copy = Task("mine/copy", "dafny", CLOVER_LIKE.replace("Abs", "Renamed"))
    monkeypatch.setattr(tasks_mod, "load_tasks", lambda name: list(mine) + [copy])
    monkeypatch.setattr(tasks_mod, "_load_test", lambda name: [Task("clover/abs", "dafny", CLOVER_LIKE)])
    split = split_tasks(TaskSetConfig(train=["x"], heldout_fraction=0.0, test_benchmarks=["clover"]))
    assert "mine/copy" not in {t.id for t in split.train}
    assert split.dropped["mine/copy"]["other"] == "clover/abs" and split.dropped_counts() == {"exact": 1, "near": 0}


def test_dafnybench_copies_of_clover_are_dropped_from_training():
    if not (data_dir() / "vericoding").is_dir():
        pytest.skip(f"no shared data under {data_dir()} (set PROVER_DATA_DIR)")
    split = split_tasks(TaskSetConfig(train=["vericoding-dafny"], test_benchmarks=["clover"]))
    dropped_vs_clover = [k for k, d in split.dropped.items() if d["other"].startswith("clover")]
    assert len(dropped_vs_clover) >= 30  # vericoding's dafnybench source holds the Clover programs
    assert not any(t.id in split.dropped for t in split.train)


def test_reference_candidates_are_bodies_or_programs():
    team, _ = train_and_heldout(TaskSetConfig(train=["dafny-team"], test_benchmarks=[]))
    items = corpus.candidates(team)
    assert items and all(it.source == "dafny-team" for it in items)
    for it in items:
        assert it.candidate.lstrip().startswith("{"), it.task.id
    two = Task("two", "dafny", "lemma A()\n  ensures true\n\nlemma B()\n  ensures true\n",
               kind="prove", meta={"reference": "lemma A()\n  ensures true\n{\n}\n\nlemma B()\n  ensures true\n{\n}\n"})
    assert corpus.reference_candidate(two) == two.meta["reference"]  # several targets: the whole program


def test_sft_examples_extract_back_to_the_candidate():
    from prover.extract import extract
    from prover.prompts import build_prompt

    team, _ = train_and_heldout(TaskSetConfig(train=["dafny-team"], limit=5, test_benchmarks=[]))
    items = corpus.candidates(team)
    for it, ex in zip(items, corpus.sft_examples(items, "completion")):
        got = extract(ex.completion, it.task, build_prompt(it.task, "completion").style)
        assert "".join(got.text.split()) == "".join(it.candidate.split())  # the same code, up to whitespace


def test_token_budget_comes_from_the_data():
    assert corpus.token_budget([10] * 8 + [200, 200], cap=512) == 250  # p90 of the lengths, +25%
    assert corpus.token_budget([100] * 10, cap=64) == 64
    assert corpus.token_budget([], cap=512, default=160) == 160


@needs_dafny
def test_only_verifying_solutions_enter_the_corpus():
    from dafny_env.verifier import DafnyVerifier

    team, _ = train_and_heldout(TaskSetConfig(train=["dafny-team"], limit=3, test_benchmarks=[]))
    items = corpus.candidates(team)
    broken = corpus.CorpusItem(items[0].task, "{\n  assert false;\n}", "dafny-team")
    with DafnyVerifier(workers=1, timeout=60) as v:
        good, counts = corpus.verified(items + [broken], v)
    assert broken not in good and len(good) == len(items)
    assert counts == {"verified": len(items), "failed": 1}
