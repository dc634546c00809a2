"""`prover train` stages for learning real proofs: the SFT warm start (D3), GRPO on tasks solved
sometimes (D4), several bodiless members (D6), `num_items_in_batch` (D7), sampling per phase (D9),
trivial tasks out of RL (D10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prover.configfile import from_dict
from verifier_core.records import Task, Verdict
from prover.train.config import TrainConfig
from tests.helpers.fixtures_models import tiny_model_dir  # noqa: F401  (pytest fixture)

ROOT = Path(__file__).resolve().parents[2]


def _task(i: int) -> Task:
    return Task(f"t{i}", "dafny", f"lemma L{i}(n: nat)\n  ensures n + {i} >= {i}\n", meta={"target": f"L{i}"})


class EmptyBodyProves:
    """A checker double: the empty body verifies exactly the tasks in `trivial`."""

    def __init__(self, trivial: set[str]):
        self.trivial = trivial
        self.seen: list[str] = []

    def check_many(self, pairs):
        out = []
        for task, cand in pairs:
            self.seen.append(task.id)
            ok = task.id in self.trivial and cand.text.replace(" ", "").replace("\n", "") == "{}"
            out.append(Verdict("verified" if ok else "failed"))
        return out

    def close(self):
        pass


@pytest.mark.parametrize("name", ["learn-dafny-cpu.yaml", "learn-dafny-gpu.yaml"])
def test_learning_configs_load(name):
    from prover.configfile import load_config

    cfg = load_config(TrainConfig, ROOT / "configs" / name)
    assert cfg.stages()[0] == "sft" and cfg.skip_trivial
    assert cfg.ei.length_coef == 0.0  # no preference for the shortest proof, `{}` (D10)


def test_sft_methods_are_accepted_and_unknown_ones_refused():
    for m in ("sft", "sft+ei", "sft+grpo", "sft+ei+grpo"):
        assert from_dict(TrainConfig, {"method": m}).stages()[0] == "sft"
    with pytest.raises(Exception):
        from_dict(TrainConfig, {"method": "sft+rl"})


def test_sampling_settings_per_phase():
    cfg = from_dict(TrainConfig, {"model": {"temperature": 1.0, "top_p": 1.0, "max_new_tokens": 100},
                                  "sampling": {"heldout": {"temperature": 0.6, "top_p": 0.9},
                                               "grpo": {"max_new_tokens": 300}}})
    assert cfg.sampling_for("heldout") == (0.6, 0.9, 100)
    assert cfg.sampling_for("ei") == (1.0, 1.0, 100)
    assert cfg.sampling_for("grpo") == (1.0, 1.0, 300)


def test_heldout_evals_sample_with_their_own_settings(tmp_path, monkeypatch):
    from prover.evaluation import runner
    from prover.train import pipeline

    seen = []

    class FakeRun:
        failure = None

        def __init__(self, run_dir, settings, tasks, policy, factory, **kw):
            seen.append(settings.policy)

        def run(self, ks):
            return None

    monkeypatch.setattr(runner, "EvalRun", FakeRun)
    monkeypatch.setattr(runner, "final_attempts", lambda d: {})
    cfg = from_dict(TrainConfig, {"sampling": {"heldout": {"temperature": 0.25}}})
    tr = pipeline.Training(cfg, tmp_path / "out", lambda: None, progress=False)
    monkeypatch.setattr(tr, "_policy", lambda ckpt, phase: type("P", (), {"close": lambda self: None})())
    tr.train_tasks, tr.heldout = [_task(1)], [_task(2)]
    tr.heldout_eval(Path("ckpt"), "base", 0)
    tr._sample(Path("ckpt"), [_task(1)], 1, tmp_path / "s", "train")
    assert "temperature=0.25" in seen[0] and "temperature=1.0" in seen[1]


def test_trivial_train_tasks_are_left_out_of_rl(tmp_path):
    from prover.train import pipeline

    checker = EmptyBodyProves({"t0", "t2"})
    tr = pipeline.Training(from_dict(TrainConfig, {"method": "ei"}), tmp_path / "out", lambda: checker,
                           progress=False)
    tr.train_tasks, tr.heldout = [_task(i) for i in range(4)], []
    assert [t.id for t in tr._rl_tasks()] == ["t1", "t3"]
    assert json.loads((tmp_path / "out" / "trivial.json").read_text())["trivial"] == ["t0", "t2"]
    checker.seen.clear()
    assert [t.id for t in tr._rl_tasks()] == ["t1", "t3"] and checker.seen == []  # measured once
    off = pipeline.Training(from_dict(TrainConfig, {"method": "ei", "skip_trivial": False}), tmp_path / "o2",
                            lambda: checker, progress=False)
    off.train_tasks = [_task(i) for i in range(4)]
    assert len(off._rl_tasks()) == 4


def test_grpo_samples_only_tasks_solved_sometimes(tmp_path, monkeypatch):
    from prover.train import pipeline

    tr = pipeline.Training(from_dict(TrainConfig, {"method": "grpo", "grpo": {"curriculum_samples": 4}}),
                           tmp_path / "out", lambda: None, progress=False)
    tr.train_tasks, tr.heldout = [_task(i) for i in range(4)], []
    tr.rl_tasks = list(tr.train_tasks)
    verified = {"t0": 0, "t1": 2, "t2": 4, "t3": 1}  # of 4 samples each
    attempts = [{"task_id": t, "sample": k, "status": "verified" if k < v else "failed"}
                for t, v in verified.items() for k in range(4)]
    asked = []
    monkeypatch.setattr(tr, "_sample", lambda ckpt, tasks, n, run_dir, name, heldout=False, phase="ei":
                        asked.append((n, phase)) or attempts)
    assert [t.id for t in tr.grpo_tasks(Path("ckpt"))] == ["t1", "t3"]
    assert asked == [(4, "grpo")]
    tr.cfg.grpo.curriculum = False
    assert len(tr.grpo_tasks(Path("ckpt"))) == 4


def test_sft_stage_trains_on_the_corpus(tiny_model_dir, tmp_path):  # noqa: F811
    from prover.train import corpus, pipeline

    item = corpus.CorpusItem(_task(1), "{\n}", "dafny-team")
    path = tmp_path / "corpus.jsonl"
    corpus.write_corpus(path, [item, item])
    cfg = from_dict(TrainConfig, {
        "method": "sft", "model": {"path": str(tiny_model_dir)}, "heldout_samples": 0,
        "warm_start": {"corpus": str(path), "epochs": 1, "learning_rate": 1e-3},
        "sft": {"batch_size": 2, "max_length": 128}})
    tr = pipeline.Training(cfg, tmp_path / "out", lambda: None, progress=False)
    ckpt = tr.run([_task(1)], [])
    assert ckpt == tmp_path / "out" / "sft" / "ckpt" and (ckpt / "config.json").exists()
    stats = json.loads((ckpt / "sft_done.json").read_text())
    assert stats["rows"] == 2 and stats["steps"] == 1
    assert [r["phase"] for r in tr.metrics.records()] == ["sft"]


def test_sft_stage_without_a_corpus_is_a_clear_error(tmp_path):
    from prover.train import pipeline

    tr = pipeline.Training(from_dict(TrainConfig, {"method": "sft", "heldout_samples": 0}), tmp_path / "o",
                           lambda: None, progress=False)
    with pytest.raises(pipeline.RunDirError, match="warm_start.corpus"):
        tr.warm_start(Path("nowhere"))


def test_loss_is_divided_by_the_tokens_of_the_whole_accumulated_step(tiny_model_dir, tmp_path):  # noqa: F811
    """With gradient accumulation transformers passes `num_items_in_batch` and does not divide the loss
    again: micro-batches must add up to the step's mean, as one big batch gives (lr 0: same weights)."""
    from prover.train.sft import SFTConfig, SFTExample, weighted_sft

    exs = [SFTExample("Complete the following Dafny code.\n", "{ }\n```", 1.0),
           SFTExample("theorem foo (a b : ℕ) :", " a = b := by\n  omega", 1.0)]
    one = weighted_sft(tiny_model_dir, exs, SFTConfig(learning_rate=0.0, batch_size=2, grad_accum=1), tmp_path / "a")
    acc = weighted_sft(tiny_model_dir, exs, SFTConfig(learning_rate=0.0, batch_size=1, grad_accum=2), tmp_path / "b")
    loss_one = json.loads((one / "sft_done.json").read_text())["train_loss"]
    loss_acc = json.loads((acc / "sft_done.json").read_text())["train_loss"]
    assert loss_acc == pytest.approx(loss_one, rel=1e-3)


def test_several_bodiless_members_get_a_whole_program_prompt():
    from prover.extract import extract
    from prover.prompts import build_prompt
    from prover.train.targets import completion_target

    spec = ("method A(x: int) returns (y: int)\n  ensures y == x + 1\n\n"
            "method B(x: int) returns (y: int)\n  ensures y == x + 2\n")
    task = Task("comp", "dafny", spec, kind="implement")
    p = build_prompt(task, "completion")
    assert p.style == "program"
    assert "bodies of the members A, B" in p.text
    program = spec.replace("x + 1\n", "x + 1\n{\n  y := x + 1;\n}\n").replace("x + 2\n", "x + 2\n{\n  y := x + 2;\n}\n")
    assert extract(completion_target(task, program, "completion"), task, p.style).text.strip() == program.strip()
    single = Task("one", "dafny", "method A(x: int) returns (y: int)\n  ensures y == x + 1\n", kind="implement")
    assert build_prompt(single, "completion").style == "completion"


@pytest.mark.skipif(__import__("shutil").which("dafny") is None, reason="no Dafny installed")
def test_a_whole_program_answer_to_several_members_verifies():
    from dafny_env.verifier import DafnyVerifier
    from verifier_core.records import Candidate

    spec = ("method A(x: int) returns (y: int)\n  ensures y == x + 1\n\n"
            "method B(x: int) returns (y: int)\n  ensures y == x + 2\n")
    program = spec.replace("x + 1\n", "x + 1\n{\n  y := x + 1;\n}\n").replace("x + 2\n", "x + 2\n{\n  y := A(x);\n  y := y + 1;\n}\n")
    task = Task("comp", "dafny", spec, kind="implement")
    with DafnyVerifier(workers=1, timeout=60) as v:
        assert v.check(task, Candidate("comp", program)).status == "verified"
        assert v.check(task, Candidate("comp", "{\n  y := x + 1;\n}")).status != "verified"  # B has no body


def test_groups_of_equal_rewards_are_dropped():
    torch = pytest.importorskip("torch")
    from prover.train.grpo import constant_groups

    nan = float("nan")
    rewards = torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, nan, 0.0, nan, nan, nan, 1.0, nan, nan])
    got = constant_groups(rewards, 3).tolist()
    # all verified | all failed | mixed | failed + an error (still constant) | all errors | a lone scored row
    assert got == [True] * 3 + [True] * 3 + [False] * 3 + [True] * 3 + [True] * 3 + [True] * 3


def test_batches_group_prompts_of_similar_length_and_keep_request_order(tiny_model_dir, monkeypatch):  # noqa: F811
    from prover.policies.base import Request
    from prover.policies.hf import HFPolicy

    pol = HFPolicy(tiny_model_dir, max_new_tokens=2, batch_size=2, temperature=1.0)
    batches = []
    real = pol._generate_batch
    monkeypatch.setattr(pol, "_generate_batch", lambda texts, stop: batches.append(texts) or real(texts, stop))
    long = Task("long", "dafny", "lemma Long(n: nat)\n" + "  ensures n + 0 == n\n" * 30)
    short1 = Task("s1", "dafny", "lemma A(n: nat)\n  ensures n == n\n")
    short2 = Task("s2", "dafny", "lemma B(n: nat)\n  ensures n >= 0\n")
    rows = pol.generate_rows([Request(task=short1, n=1), Request(task=long, n=2), Request(task=short2, n=1)])
    assert [len(r) for r in rows] == [1, 2, 1]
    assert "Long" in rows[1][0].prompt and "Long" in rows[1][1].prompt and "lemma B" in rows[2][0].prompt
    # the two short prompts share a batch, the two long ones the other
    assert sorted(len(b) for b in batches) == [2, 2] and all(len({len(t) for t in b}) <= 2 for b in batches)
    assert any(all("Long" in t for t in b) for b in batches)
