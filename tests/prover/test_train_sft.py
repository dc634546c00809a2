"""Weighted SFT and STP's example selection: hand-computed losses and weights, a real tiny-model run."""

import math

import pytest

from prover.train.expert_iteration import EIConfig, ReplayBuffer, select_examples, stp_weight
from prover.train.sft import SFTConfig, SFTExample, is_finished, weighted_lm_loss, weighted_sft
from tests.helpers.fixtures_models import tiny_model_dir  # noqa: F401  (pytest fixture)


def test_weighted_lm_loss_matches_hand_computation():
    torch = pytest.importorskip("torch")
    # vocab 2; two rows of 3 positions; logits chosen so each token's probability is easy to write down
    logits = torch.tensor([[[0.0, 0.0], [math.log(3), 0.0], [0.0, 0.0]],
                           [[0.0, 0.0], [0.0, 0.0], [0.0, math.log(3)]]])
    labels = torch.tensor([[-100, 1, 0], [-100, -100, 1]])  # predicted from positions 0,1 and 1
    weights = torch.tensor([2.0, 0.5])
    # row 0: pos0 predicts 1 with p=1/2; pos1 predicts 0 with p=3/4. row 1: pos1 predicts 1 with p=1/2
    expected = (2.0 * (math.log(2) + -math.log(0.75)) + 0.5 * math.log(2)) / 3
    assert weighted_lm_loss(logits, labels, weights).item() == pytest.approx(expected, rel=1e-5)
    # a zero weight removes the row's tokens from the numerator but not from the token count
    zero = weighted_lm_loss(logits, labels, torch.tensor([0.0, 1.0])).item()
    assert zero == pytest.approx(math.log(2) / 3, rel=1e-5)


def test_stp_weight_and_selection():
    cfg = EIConfig()
    assert stp_weight(100, 2.0, 4, cfg) == pytest.approx(math.exp(-0.1 - 0.02) / 4)
    with pytest.raises(ValueError):
        stp_weight(1, 0.0, 0, cfg)
    rows = []
    # task a: 1 of 4 verified -> kept; b: 3 of 4 -> too easy; c: 0 of 2 -> nothing; errors do not count
    rows += [dict(task_id="a", prompt="P", completion=f"c{i}", status=s, seconds=1.0)
             for i, s in enumerate(["verified", "failed", "timeout", "rejected", "error", "error"])]
    rows += [dict(task_id="b", prompt="Q", completion=f"d{i}", status=s, seconds=1.0)
             for i, s in enumerate(["verified", "verified", "verified", "failed"])]
    rows += [dict(task_id="c", prompt="R", completion="x", status="failed", seconds=1.0)] * 2
    # task e: 2 of 4 verified but the same proof twice -> one example, n_correct = 1
    rows += [dict(task_id="e", prompt="S", completion="same", status="verified", seconds=0.0)] * 2
    rows += [dict(task_id="e", prompt="S", completion="bad", status="failed", seconds=0.0)] * 2
    ex = select_examples(rows, cfg)
    assert sorted(e.task_id for e in ex) == ["a", "e"]
    a = next(e for e in ex if e.task_id == "a")
    assert a.completion == "c0" and a.weight == pytest.approx(math.exp(-0.001 * 2 - 0.01))
    e = next(e for e in ex if e.task_id == "e")
    assert e.weight == pytest.approx(math.exp(-0.004))


def test_replay_buffer_dedupes_and_resumes(tmp_path):
    buf = ReplayBuffer(tmp_path / "replay.jsonl", replay_rounds=1)
    one, two, three = (SFTExample("p", c, 1.0, "t") for c in ("1", "2", "3"))
    assert [e.completion for e in buf.add_round(0, [one, two])] == ["1", "2"]
    assert [e.completion for e in buf.add_round(1, [two, three])] == ["2", "3", "1"]
    # round 2 replays only round 1 (replay_rounds=1); an empty round is still recorded
    assert [e.completion for e in buf.add_round(2, [])] == ["2", "3"]
    again = ReplayBuffer(tmp_path / "replay.jsonl", replay_rounds=1)
    assert [e.completion for e in again.add_round(1, [one])] == ["2", "3", "1"]  # recorded round: unchanged


def test_weighted_sft_trains_saves_and_is_idempotent(tiny_model_dir, tmp_path):  # noqa: F811
    torch = pytest.importorskip("torch")
    from transformers import AutoModelForCausalLM

    examples = [SFTExample("lemma L()\n{\n", "}\n```", 1.0, "t1"), SFTExample("theorem foo", " := by\n  omega", 0.3)]
    cfg = SFTConfig(learning_rate=1e-2, epochs=2, batch_size=2, max_length=64, warmup_steps=0)
    out = weighted_sft(tiny_model_dir, examples, cfg, tmp_path / "ckpt")
    assert is_finished(out)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    tuned = AutoModelForCausalLM.from_pretrained(out)
    diff = sum((a - b).abs().sum().item() for a, b in zip(base.parameters(), tuned.parameters()))
    assert diff > 0
    stamp = (out / "sft_done.json").stat().st_mtime_ns
    assert weighted_sft(tiny_model_dir, examples, cfg, out) == out
    assert (out / "sft_done.json").stat().st_mtime_ns == stamp  # not retrained
    from prover.policies.hf import HFPolicy

    HFPolicy(out, max_new_tokens=2)  # loads as a plain checkpoint
    del torch


def test_weighted_sft_with_lora_merges(tiny_model_dir, tmp_path):  # noqa: F811
    pytest.importorskip("peft")
    from prover.train.sft import LoraOptions

    cfg = SFTConfig(learning_rate=1e-2, epochs=1, batch_size=2, max_length=64, warmup_steps=0,
                    lora=LoraOptions(r=4, alpha=8, dropout=0.0))
    out = weighted_sft(tiny_model_dir, [SFTExample("a", "b c", 1.0)], cfg, tmp_path / "lora")
    assert not (out / "adapter_config.json").exists() and (out / "config.json").exists()
