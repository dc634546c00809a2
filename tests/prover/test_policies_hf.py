"""hf:PATH on a tiny model built from a config: batched samples, finite log-probs, greedy determinism."""

import math

import pytest

from verifier_core.records import Task
from prover.policies import Request, load_policy
from prover.prompts import build_prompt, tactic_prompt
from tests.helpers.fixtures_models import tiny_model_dir  # noqa: F401  (pytest fixture)

LEAN = Task("foo", "lean", "theorem foo (a b : ℕ) (h : a = b) : b = a := by", header="import Mathlib\n\n",
            meta={"informal_prefix": "/-- b equals a -/\n"})
DAFNY = Task("d", "dafny", "lemma L(n: nat)\n  ensures n >= 0\n")


def test_deepseek_prompt_format():
    p = build_prompt(LEAN)
    assert p.style == "completion"
    assert p.text == ("Complete the following Lean 4 code:\n\n```lean4\nimport Mathlib\n\n/-- b equals a -/\n"
                      "theorem foo (a b : ℕ) (h : a = b) : b = a := by\n")
    assert build_prompt(DAFNY).text.endswith("```dafny\nlemma L(n: nat)\n  ensures n >= 0\n{\n")
    assert "sorry" in build_prompt(LEAN, "chat").messages[0]["content"]
    assert tactic_prompt(LEAN, "⊢ b = a").text.endswith("  /- tactic state:\n  ⊢ b = a\n  -/\n  ")


def test_batched_samples_have_finite_logprobs(tiny_model_dir):  # noqa: F811
    pol = load_policy(f"hf:{tiny_model_dir}", max_new_tokens=12, batch_size=3, temperature=1.0, seed=0)
    out = pol.generate([Request(LEAN, 2), Request(DAFNY, 3)])
    assert [len(x) for x in out] == [2, 3]
    for s in out[0] + out[1]:
        assert s.logprob is not None and math.isfinite(s.logprob) and s.logprob < 0
        assert 1 <= s.tokens <= 12 and s.seconds > 0
        assert s.text or s.reason  # either a proof was extracted or we say why not


def test_temperature_zero_is_deterministic(tiny_model_dir):  # noqa: F811
    pol = load_policy(f"hf:{tiny_model_dir}", max_new_tokens=10, batch_size=4, temperature=0)
    a = pol.generate([Request(LEAN, 2)])[0]
    b = pol.generate([Request(LEAN, 1)])[0]
    assert a[0].raw == a[1].raw == b[0].raw
    assert a[0].logprob == pytest.approx(b[0].logprob, abs=1e-3)


def test_greedy_logprob_matches_a_forward_pass(tiny_model_dir):  # noqa: F811
    import torch

    pol = load_policy(f"hf:{tiny_model_dir}", max_new_tokens=6, temperature=0)
    (s,) = pol.generate([Request(LEAN, 1, prompt="theorem foo")])[0]
    tok, model = pol.tokenizer, pol.model
    prompt_ids = tok("theorem foo", add_special_tokens=False)["input_ids"]
    dev = model.device  # the policy picks CUDA when there is one
    gen_ids = pol.model.generate(torch.tensor([prompt_ids], device=dev), max_new_tokens=6, do_sample=False,
                                 pad_token_id=tok.eos_token_id)[0, len(prompt_ids):].tolist()
    eos = tok.eos_token_id
    gen_ids = gen_ids[: gen_ids.index(eos) + 1] if eos in gen_ids else gen_ids
    with torch.no_grad():
        logits = model(torch.tensor([prompt_ids + gen_ids], device=dev)).logits[0]
    lp = torch.log_softmax(logits.float(), -1)
    expect = sum(lp[len(prompt_ids) - 1 + i, t].item() for i, t in enumerate(gen_ids))
    # bf16 on a GPU: the cached decode and one full forward round differently
    tol = 1e-3 if model.dtype == torch.float32 else 5e-2 * len(gen_ids)
    assert s.tokens == len(gen_ids) and s.logprob == pytest.approx(expect, abs=tol)
