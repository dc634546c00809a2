"""Both roles trained by `prover.train.sft.weighted_sft` inside the loop: a tiny model as conjecturer
and prover, Lean doubles as the verifier; a SIGKILL inside the train step resumes to the same
examples and the same checkpoint weights."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.helpers.fixtures_models import tiny_model_dir  # noqa: F401  (fixture)
from tests.conjecturer.test_selfplay_resume import final_state, killed_then_resumed, run, write_lean_seeds


def config(tmp_path: Path, model: Path) -> Path:
    seeds = write_lean_seeds(tmp_path / "seeds.jsonl")
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(f"""lang: lean
rounds: 2
seeds: {{benchmarks: [], files: [{json.dumps(str(seeds))}], heldout_fraction: 0.34}}
conjecturer: {{kind: policy, policy: "hf:{model}", per_seed: 2, max_per_round: 4, max_new_tokens: 24, batch_size: 8}}
prover: {{policy: "hf:{model}", samples: 6, max_new_tokens: 24, batch_size: 8, workers: 1}}
train: {{enabled: true, sft: {{learning_rate: 1.0e-3, batch_size: 4, max_length: 256, seed: 0}}}}
heldout: {{samples: 2}}
canaries: {{count: 1}}
""", encoding="utf-8")
    return cfg


def weights_digest(ckpt: Path) -> str:
    return hashlib.sha256((ckpt / "model.safetensors").read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_both_roles_train_and_a_kill_in_training_resumes(tmp_path, tiny_model_dir):  # noqa: F811
    pytest.importorskip("transformers")
    cfg = config(tmp_path, tiny_model_dir)

    def argv(out, resume=False):
        return ["-m", "tests.helpers.selfplay_doubles", str(cfg), str(out)] + (["--resume"] if resume else [])

    whole = tmp_path / "whole"
    assert run(argv(whole)) == 0
    ref = final_state(whole)
    m0, m1 = ref["metrics"]
    assert m0["heldout_pass_rate"] is not None  # held-out tasks exist, so the eval step has fault points
    assert m0["prover_examples"] > 0  # the hash rule verifies some of the model's outputs
    ckpt0 = whole / "rounds" / "000" / "checkpoint"
    assert (ckpt0 / "sft_done.json").exists()
    trained = json.loads((ckpt0 / "sft_done.json").read_text())
    assert trained["rows"] > 0
    # round 1 samples from round 0's checkpoint, in both roles
    assert m1["models"]["prover"] == m1["models"]["conjecturer"] != f"hf:{tiny_model_dir}"
    assert ref["rounds"]["000"]["state"]["models"]["prover"] == f"hf:{ckpt0.resolve()}"
    assert weights_digest(ckpt0) != weights_digest(Path(tiny_model_dir))
    (trained,) = m0["train"]  # the round's training record: steps at a learning rate above 0, weights moved
    assert trained["steps"] > 0 and trained["weight_change"] > 0
    assert all(e["learning_rate"] > 0 for e in trained["log"]) and len(trained["log"]) == trained["steps"]

    killed = tmp_path / "killed"
    killed_then_resumed(argv, killed, ["train:1", "eval:1", "train:1"])
    got = final_state(killed)
    for state in (got, ref):  # checkpoint paths name their run directory
        for r in state["rounds"].values():
            r["state"]["models"] = None
        for m in state["metrics"]:
            m["models"] = None
    assert got == ref
    for r in ("000", "001"):
        assert weights_digest(killed / "rounds" / r / "checkpoint") == weights_digest(whole / "rounds" / r / "checkpoint")
