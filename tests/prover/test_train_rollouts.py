"""Rollouts: per-token log-probs recorded during generation match a forward pass; `from_model` wraps a
live model; verification of the first batch runs while the next is generated."""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import Future

import pytest

from verifier_core.records import Task, Verdict
from prover.train.rewards import Scored
from prover.train.rollouts import rollout
from tests.helpers.fixtures_models import tiny_model_dir  # noqa: F401  (pytest fixture)

TASK = Task("d", "dafny", "lemma L(n: nat)\n  ensures n >= 0\n")


class SlowService:
    """Verdict `failed` after 0.3 s on a thread; records when each check started."""

    def __init__(self):
        self.started = []

    def submit(self, task, raw, style):
        f: Future = Future()
        self.started.append(time.monotonic())

        def work():
            time.sleep(0.3)
            f.set_result(Scored("", Verdict("failed", seconds=0.3), 0.0))

        threading.Thread(target=work, daemon=True).start()
        return f

    def submit_many(self, items):
        return [self.submit(*item) for item in items]


def test_per_token_logprobs_match_a_forward_pass(tiny_model_dir):  # noqa: F811
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from prover.policies.hf import HFPolicy

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    pol = HFPolicy.from_model(model, tok, temperature=1.0, max_new_tokens=8, batch_size=4,
                              prompt_style="completion")
    model.train()  # a model being trained: generation must not leave it in eval mode
    torch.manual_seed(0)
    batch = rollout([TASK, TASK], pol, 2, SlowService(), tasks_per_call=1)
    assert model.training and len(batch.rollouts) == 4 and batch.gen_seconds > 0
    for r in batch.rollouts:
        assert r.style == "completion" and r.prompt.endswith("{\n") and r.status == "failed"
        assert len(r.token_ids) == len(r.token_logprobs) >= 1
        ids = tok(r.prompt, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logits = model.eval()(torch.tensor([ids + r.token_ids])).logits[0]
        model.train()
        lp = torch.log_softmax(logits.float(), -1)
        expect = [lp[len(ids) - 1 + i, t].item() for i, t in enumerate(r.token_ids)]
        assert r.token_logprobs == pytest.approx(expect, abs=1e-4)
        assert all(math.isfinite(x) and x <= 0 for x in r.token_logprobs)


def test_verification_overlaps_the_next_generation(tiny_model_dir):  # noqa: F811
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from prover.policies.hf import HFPolicy

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    pol = HFPolicy.from_model(model, AutoTokenizer.from_pretrained(tiny_model_dir), max_new_tokens=4)
    service = SlowService()
    ends = []
    generate = pol.generate_rows

    def timed(requests):
        # a tiny model generates 4 tokens in a few ms on an idle machine: give each chunk the
        # duration of a real one, so that "before the next chunks" is measurable
        time.sleep(0.1)
        out = generate(requests)
        ends.append(time.monotonic())
        return out

    pol.generate_rows = timed
    batch = rollout([TASK] * 3, pol, 1, service, tasks_per_call=1)
    assert len(ends) == 3
    # the first chunk's check was submitted as soon as it was generated, before the next chunks
    assert service.started[0] <= ends[0] + 0.05 < ends[-1]
    assert batch.wait_seconds < 3 * 0.3
