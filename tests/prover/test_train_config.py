"""Train configs (unknown keys refused, shipped configs load), task splits and the test-overlap guard,
metrics lines and the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prover.configfile import ConfigError, from_dict, load_config
from verifier_core.records import Task
from prover.train.config import TrainConfig
from prover.train.metrics import MetricsLog, bootstrap_ci, pass1, pass1_per_task, write_report
from prover.train.tasks import OverlapError, TaskSetConfig, check_overlap, split_of, train_and_heldout

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["train-ei-smoke.yaml", "train-grpo-smoke.yaml", "train-grpo-gpu.yaml"])
def test_shipped_configs_load(name):
    cfg = load_config(TrainConfig, ROOT / "configs" / name)
    assert cfg.method in ("ei", "grpo", "ei+grpo")


def test_unknown_and_mistyped_keys_are_errors():
    with pytest.raises(ConfigError, match="lerning_rate.*did you mean 'learning_rate'"):
        from_dict(TrainConfig, {"grpo": {"lerning_rate": 1e-5}})
    with pytest.raises(ConfigError, match="pg_loss"):
        from_dict(TrainConfig, {"grpo": {"pg_loss": "ppo"}})
    cfg = from_dict(TrainConfig, {"sft": {"lora": {"r": 8}}, "grpo": {"learning_rate": "1e-5"}})
    assert cfg.sft.lora.r == 8 and cfg.grpo.learning_rate == 1e-5


def test_split_is_a_fixed_function_of_the_id():
    ids = [f"task/{i}" for i in range(400)]
    first = [split_of(i, 0.3) for i in ids]
    assert first == [split_of(i, 0.3) for i in reversed(ids)][::-1]
    assert 0.2 < first.count("heldout") / len(ids) < 0.4
    assert split_of("team/prove/add_comm", 0.3, salt="other") in ("train", "heldout")


def test_team_split_is_disjoint_and_stable():
    train, held = train_and_heldout(TaskSetConfig(test_benchmarks=[]))
    assert not {t.id for t in train} & {t.id for t in held}
    assert len(train) + len(held) > 40 and held
    again = train_and_heldout(TaskSetConfig(test_benchmarks=[]))
    assert [t.id for t in again[0]] == [t.id for t in train]


def test_overlap_with_a_test_benchmark_is_refused_by_name():
    a = Task("mine/1", "dafny", "lemma A()\n  ensures true\n")
    b = Task("mine/2", "dafny", "lemma B() ensures 1 == 1")
    test = [Task("bench/7", "dafny", "lemma   B()\n ensures 1 == 1\n")]  # same statement up to whitespace
    check_overlap([a], {"clover": test})
    with pytest.raises(OverlapError, match=r"test benchmark 'clover' \(mine/2 = bench/7\)"):
        check_overlap([a, b], {"clover": test})


def test_metrics_log_report_and_interval(tmp_path):
    log = MetricsLog(tmp_path)
    counts = {"verified": 1, "failed": 2, "rejected": 0, "timeout": 0, "error": 1}
    assert log.write({"phase": "ei", "step": 1, "reward_mean": 1 / 3, "verdicts": counts, "seconds": {}})
    assert not log.write({"phase": "ei", "step": 1, "reward_mean": 0.9})  # a redone round adds nothing
    for s in (1, 2, 3):
        log.write({"phase": "grpo", "step": s, "reward_mean": 0.1 * s, "verdicts": counts, "seconds": {},
                   "kl": 0.0, "entropy": 1.0}, once=False)
    log.drop_after("grpo", 2)  # step 3 was logged but not checkpointed
    assert [(r["phase"], r["step"]) for r in log.records()] == [("ei", 1), ("grpo", 1), ("grpo", 2)]
    att = [{"task_id": "a", "status": "verified"}, {"task_id": "a", "status": "failed"},
           {"task_id": "b", "status": "error"}, {"task_id": "b", "status": "failed"}]
    per = pass1_per_task(att)
    assert per == {"a": (1, 2), "b": (0, 1)} and pass1(per) == pytest.approx(0.25)
    log.write({"phase": "eval", "step": 0, "label": "base", "heldout_pass1": 0.25, "per_task": per})
    report = write_report(tmp_path)
    text = report.read_text()
    assert "| ei | 1 | 0.333 | 1 | 2 | 0 | 0 | 1 |" in text and "25.0%" in text
    assert (tmp_path / "reward.png").exists() and (tmp_path / "heldout.png").exists()
    lo, hi, dlo, dhi = bootstrap_ci({"a": (0, 4), "b": (0, 4)}, {"a": (4, 4), "b": (4, 4)})
    assert lo == hi == 1.0 and dlo == dhi == 1.0
    lo, hi, dlo, dhi = bootstrap_ci({"a": (1, 2), "b": (1, 2)}, {"a": (2, 2), "b": (0, 2)})
    assert lo == 0.0 and hi == 1.0 and dlo == -0.5 and dhi == 0.5
    assert json.loads((tmp_path / "metrics.jsonl").read_text().splitlines()[0])["time"] > 0


def test_resume_picks_the_newest_complete_checkpoint(tmp_path):
    from prover.train.grpo import _last_checkpoint

    for n, complete in [(1, True), (2, True), (3, False), (10, True), (11, False)]:
        d = tmp_path / f"checkpoint-{n}"
        d.mkdir()
        if complete:  # transformers writes trainer_state.json last
            (d / "trainer_state.json").write_text("{}")
    assert _last_checkpoint(tmp_path) == tmp_path / "checkpoint-10"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-1", "checkpoint-10", "checkpoint-2"]
    assert _last_checkpoint(tmp_path / "none") is None


def test_training_checks_dafny_in_the_fast_mode_and_evals_held_out_tasks_exactly():
    cfg = TrainConfig()
    assert cfg.verifier.options("dafny") == {"confirm_failures": False, "batch_size": 8}
    assert cfg.verifier.options("dafny", heldout=True) == {"confirm_failures": True}
    assert "confirm_failures" not in cfg.verifier.options("lean")  # Lean has one mode
    cfg = from_dict(TrainConfig, {"verifier": {"timeout": 30, "confirm_failures": True, "heldout_confirm_failures": False,
                                               "batch_size": 1}})
    assert cfg.verifier.options("dafny") == {"timeout": 30, "confirm_failures": True, "batch_size": 1}
    assert cfg.verifier.options("dafny", heldout=True) == {"timeout": 30, "confirm_failures": False}
    with pytest.raises(ConfigError, match="did you mean 'confirm_failures'"):
        from_dict(TrainConfig, {"verifier": {"confirm_failure": False}})


def test_prover_train_builds_fast_and_exact_checkers(tmp_path, monkeypatch):
    """`prover train` hands the training checks and the held-out evals their own verifier options."""
    import argparse

    from prover.commands import train as train_cmd
    from prover.evaluation import backends
    from prover.train import pipeline

    made, got = [], {}
    monkeypatch.setattr(backends, "local_factory", lambda lang, options: made.append((lang, options)) or len(made))

    class Stop(Exception):
        pass

    def fake_training(cfg, out, factory, *, heldout_factory=None, **kw):
        got.update(factory=factory, heldout_factory=heldout_factory)
        raise Stop

    monkeypatch.setattr(pipeline, "Training", fake_training)
    cfg = tmp_path / "train.json"
    cfg.write_text(json.dumps({"tasks": {"train": ["dafny-team"], "limit": 2, "heldout_limit": 1,
                                         "test_benchmarks": []}}), encoding="utf-8")
    with pytest.raises(Stop):
        train_cmd.run(argparse.Namespace(config=str(cfg), out=str(tmp_path / "out"), resume=False, ray_address=None,
                                         no_progress=True))
    assert made == [("dafny", {"confirm_failures": False, "batch_size": 8}), ("dafny", {"confirm_failures": True})]
    assert got == {"factory": 1, "heldout_factory": 2}


def test_the_fast_mode_and_its_false_negatives_are_in_run_json_and_metrics(tmp_path, monkeypatch):
    from dafny_env.verifier import FAST_MODE_FALSE_NEGATIVES
    from prover.evaluation import runner
    from prover.train import pipeline

    runs = []

    class FakeRun:
        failure = None

        def __init__(self, run_dir, settings, tasks, policy, factory, **kw):
            runs.append((settings, factory))
            Path(run_dir).mkdir(parents=True, exist_ok=True)

        def run(self, ks):
            return None

    monkeypatch.setattr(runner, "EvalRun", FakeRun)
    monkeypatch.setattr(runner, "final_attempts", lambda run_dir: {("b", 0): {"task_id": "b", "status": "failed"}})

    class NoPolicy:
        def close(self):
            pass

    train_task, held_task = Task("a", "dafny", "lemma A() ensures true\n"), Task("b", "dafny", "lemma B() ensures true\n")
    training = pipeline.Training(TrainConfig(), tmp_path / "out", "train-factory", heldout_factory="heldout-factory",
                                 progress=False)
    monkeypatch.setattr(training, "_policy", lambda ckpt, phase: NoPolicy())
    training.train_tasks, training.heldout = [train_task], [held_task]
    training._sample(Path("ckpt"), [train_task], 1, tmp_path / "out" / "s", "train")
    training.heldout_eval(Path("ckpt"), "base", 0)
    (train_settings, train_factory), (held_settings, held_factory) = runs
    assert train_factory == "train-factory" and held_factory == "heldout-factory"
    assert train_settings.verifier == {"confirm_failures": False, "batch_size": 8,
                                       "mode": f"fast: {FAST_MODE_FALSE_NEGATIVES}"}
    assert held_settings.verifier == {"confirm_failures": True, "mode": "exact"}
    (line,) = training.metrics.records()
    assert line["phase"] == "eval" and line["verifier"] == "exact"
