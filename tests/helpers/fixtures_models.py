"""A tiny causal LM built from a config, for policy tests: no hub access, no downloaded weights.

Import the fixture into a test module with `from tests.helpers.fixtures_models import tiny_model_dir`.
"""

from __future__ import annotations

import os

import pytest

CORPUS = [
    "theorem foo (a b : ℕ) (h : a = b) : b = a := by\n  omega\n",
    "theorem bar (x : ℝ) (h : 0 < x) : 0 < x ^ 2 := by\n  positivity\n",
    "lemma SumFormula(n: nat)\n  ensures 2 * Sum(n) == n * (n + 1)\n{\n  if n > 0 { SumFormula(n - 1); }\n}\n",
    "method Find(a: array<int>, x: int) returns (found: bool)\n{\n  found := false;\n}\n",
    "Complete the following Lean 4 code:\n\n```lean4\nimport Mathlib\n```\n",
    "Complete the following Dafny code.\n```dafny\n{ }\n```\n",
    "norm_num simp linarith nlinarith intro constructor exact rfl decide aesop",
]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A 2-layer Qwen2 model with a 300-token byte-level BPE tokenizer, saved as a checkpoint dir."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("tiny-model")
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>", "<|pad|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS, trainer)
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>",
                                                pad_token="<|pad|>")
    fast.save_pretrained(out)
    cfg = transformers.Qwen2Config(vocab_size=len(fast), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                   num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                                   tie_word_embeddings=True, eos_token_id=fast.eos_token_id,
                                   pad_token_id=fast.pad_token_id)
    torch.manual_seed(0)
    model = transformers.Qwen2ForCausalLM(cfg)
    model.generation_config.eos_token_id = fast.eos_token_id
    model.save_pretrained(out)
    return out
