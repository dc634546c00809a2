"""The GRPO subclass on a tiny model: `error` rows leave the loss; the variants and resets run a real step."""

from __future__ import annotations

import itertools
from concurrent.futures import Future

import pytest

from verifier_core.records import Task, Verdict
from prover.train.rewards import RewardConfig, Scored, reward_for
from tests.helpers.fixtures_models import tiny_model_dir  # noqa: F401  (pytest fixture)

pytest.importorskip("trl")

TASKS = [Task(f"t{i}", "dafny", f"lemma L{i}(n: nat)\n  ensures n + {i} >= {i}\n") for i in range(2)]


class CyclingService:
    """Stands in for the reward service: verdicts in a fixed cycle, so the test knows which rows err."""

    def __init__(self, statuses):
        self.cycle = itertools.cycle(statuses)
        self.seen = []

    def submit(self, task, raw, style):
        status = next(self.cycle)
        self.seen.append(status)
        f: Future = Future()
        f.set_result(Scored("x", Verdict(status, seconds=0.1), reward_for(status, RewardConfig())))
        return f

    def submit_many(self, items):
        return [self.submit(*item) for item in items]


def _trainer(model_dir, tmp_path, service, **opts):
    from prover.train.grpo import GRPOOptions, build_trainer

    o = GRPOOptions(steps=1, prompts_per_step=2, num_generations=4, learning_rate=1e-3, **opts)
    return build_trainer(model_dir, TASKS, o, service, tmp_path, temperature=1.0, top_p=1.0, max_new_tokens=6,
                         prompt_style="completion")


def test_error_rows_leave_the_loss(tiny_model_dir, tmp_path):  # noqa: F811
    import torch

    service = CyclingService(["verified", "error", "failed", "timeout"])
    tr = _trainer(tiny_model_dir, tmp_path, service, beta=0.1, loss_type="dapo")
    tr.model.train()
    batch = [{"prompt": p, "task_id": t} for p, t in zip(tr.train_dataset["prompt"], tr.train_dataset["task_id"])]
    inputs = [dict(row) for row in batch for _ in range(4)]  # the sampler yields a fresh dict per row
    out = tr._generate_and_score_completions(inputs)
    errors = torch.tensor([s == "error" for s in service.seen])
    assert errors.sum() == 2 and len(service.seen) == 8
    assert out["completion_mask"][errors].sum() == 0  # KL, entropy and the token count skip them too
    assert (out["completion_mask"][~errors].sum(dim=1) > 0).all()
    assert out["advantages"][errors].abs().sum() == 0  # TRL 1.16: all-None rows get advantage 0
    assert int(out["num_items_in_batch"]) == int(out["completion_mask"].sum())
    assert torch.isnan(out["prover_rewards"][errors]).all()
    # the loss has no gradient through an error row
    tr.model.zero_grad()
    tr.current_gradient_accumulation_steps = 1  # set by train() otherwise
    loss = tr._compute_loss(tr.model, out)
    loss.backward()
    assert torch.isfinite(loss)


@pytest.mark.parametrize("variant", ["w_reinforce", "topr"])
def test_variant_step_with_reset_and_entropy_bonus(tiny_model_dir, tmp_path, variant):  # noqa: F811
    from prover.train.grpo import GRPOOptions, run_grpo

    logs = []
    service = CyclingService(["verified", "failed", "failed", "error"])
    opts = GRPOOptions(steps=2, prompts_per_step=2, num_generations=4, learning_rate=1e-3, pg_loss=variant,
                       beta=0.1, reset_every=1, entropy_coef=0.01, w_reinforce_lambda=0.5)
    final = run_grpo(tiny_model_dir, TASKS, opts, service, tmp_path, temperature=1.0, top_p=1.0, max_new_tokens=6,
                     prompt_style="completion", on_step=lambda s, lg, st: logs.append((s, lg, st.generation)))
    assert [s for s, _, _ in logs] == [1, 2]
    for _, lg, gen in logs:
        assert "entropy" in lg and "kl" in lg and gen > 0
        assert lg["kl"] == pytest.approx(0.0, abs=1e-6)  # the reference is reset to the policy every step
    assert (final / "grpo_done.json").exists() and (final / "config.json").exists()


def test_reference_reset_in_the_trainer(tiny_model_dir, tmp_path):  # noqa: F811
    import torch

    tr = _trainer(tiny_model_dir, tmp_path, CyclingService(["verified"]), beta=0.1)
    with torch.no_grad():
        for p in tr.model.parameters():
            p.add_(0.01)
    assert not all(torch.equal(a, b) for a, b in zip(tr.model.parameters(), tr.ref_model.parameters()))
    tr.create_optimizer()
    tr.reset_reference_and_optimizer()
    assert all(torch.equal(a, b) for a, b in zip(tr.model.parameters(), tr.ref_model.parameters()))
    assert len(tr.optimizer.state) == 0
