"""`hf:PATH`: sampling from a local transformers checkpoint (CPU or GPU), batched, with log-probs.

Each sample's `logprob` is the sum of the *model's* log-probabilities of its generated tokens (raw
logits, before temperature/top-p), which is what best-first search and importance weights need.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Sequence

from ..extract import extract
from ..prompts import Prompt, prompt_for_request
from .base import Request, Sample

FENCE = "```"


def default_threads() -> int:
    """torch threads on CPU: `$PROVER_TORCH_THREADS`, default 1 (2 threads next to a busy verifier
    process measured 5-12x slower than 1, see research/stack.md P1)."""
    return int(os.environ.get("PROVER_TORCH_THREADS", "1"))


class HFPolicy:
    """Generate with `model.generate`; see the module docstring for what `logprob` means."""

    samples_iid = True  # independent draws (identical ones under greedy decoding, which pass@k also reads right)

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        temperature: float = 1.0,
        top_p: float = 0.95,
        max_new_tokens: int = 512,
        batch_size: int | None = None,
        prompt_style: str | None = None,
        device: str | None = None,
        threads: int | None = None,
        seed: int | None = None,
    ):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.path = Path(path)
        self.name = f"hf:{self.path.name}"
        self.temperature = float(temperature)
        self.top_p = float(top_p)
        self.max_new_tokens = int(max_new_tokens)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        # Measured on an H200 with a 135M model (bench/policy_throughput.py): decoding is bound by
        # per-step overhead, so 128 rows ran 6.7x the tokens/s of 8 rows; on a CPU, 8 rows already fill it.
        self.batch_size = max(1, int(batch_size or (128 if self.device.startswith("cuda") else 8)))
        if self.device == "cpu":
            torch.set_num_threads(threads or default_threads())
        if seed is not None:
            torch.manual_seed(seed)
        self.tokenizer = AutoTokenizer.from_pretrained(self.path)
        self.tokenizer.padding_side = "left"  # decoder-only: generated tokens must follow the prompt
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
        self.model = AutoModelForCausalLM.from_pretrained(self.path, dtype=dtype).to(self.device).eval()
        self.prompt_style = prompt_style or ("chat" if getattr(self.tokenizer, "chat_template", None) else "completion")
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        self.eos_ids = set(eos if isinstance(eos, list) else [eos])
        self.max_positions = getattr(self.model.config, "max_position_embeddings", None)

    def generate(self, requests: Sequence[Request]) -> list[list[Sample]]:
        """`req.n` samples per request, generated in batches of `batch_size` prompts."""
        rows: list[tuple[int, Prompt]] = []
        for i, req in enumerate(requests):
            prompt = prompt_for_request(req, self.prompt_style)
            rows.extend((i, prompt) for _ in range(req.n))
        out: list[list[Sample]] = [[] for _ in requests]
        # rows of one stop condition share a batch, since stop strings are a per-call setting
        for stop in sorted({_stop_strings(p) for _, p in rows}, key=str):
            group = [r for r in rows if _stop_strings(r[1]) == stop]
            for b in range(0, len(group), self.batch_size):
                chunk = group[b: b + self.batch_size]
                texts = [p.render(self.tokenizer) for _, p in chunk]
                for (i, p), (raw, lp, ntok, secs) in zip(chunk, self._generate_batch(texts, stop)):
                    got = extract(raw, requests[i].task, p.style)
                    out[i].append(Sample(got.text or "", raw=raw, logprob=lp, tokens=ntok, seconds=secs,
                                         reason=got.reason))
        return out

    def _generate_batch(self, texts: list[str], stop: tuple[str, ...]) -> list[tuple[str, float, int, float]]:
        import torch

        t0 = time.monotonic()
        limit = None
        if self.max_positions:
            limit = max(1, self.max_positions - self.max_new_tokens)
        self.tokenizer.truncation_side = "left"  # keep the end of the prompt: that is where code continues
        enc = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=limit is not None,
                             max_length=limit, add_special_tokens=False).to(self.device)
        sampling = self.temperature > 0
        kwargs = dict(max_new_tokens=self.max_new_tokens, do_sample=sampling, return_dict_in_generate=True,
                      output_logits=True, pad_token_id=min(self.eos_ids), eos_token_id=sorted(self.eos_ids))
        if sampling:
            kwargs.update(temperature=self.temperature, top_p=self.top_p, top_k=0)
        else:
            kwargs.update(temperature=None, top_p=None, top_k=None)
        if stop:
            kwargs.update(stop_strings=list(stop), tokenizer=self.tokenizer)
        with torch.inference_mode():
            gen = self.model.generate(**enc, **kwargs)
        new = gen.sequences[:, enc["input_ids"].shape[1]:]
        logits = torch.stack(gen.logits, dim=1).float()  # (batch, steps, vocab), raw model logits
        token_lp = torch.log_softmax(logits, dim=-1).gather(-1, new.unsqueeze(-1)).squeeze(-1)
        secs = (time.monotonic() - t0) / len(texts)
        results = []
        for row in range(new.shape[0]):
            ids = new[row].tolist()
            # finished rows are padded with an eos id: the sample ends at (and includes) its first eos
            end = next((k + 1 for k, t in enumerate(ids) if t in self.eos_ids), len(ids))
            raw = self.tokenizer.decode(ids[:end], skip_special_tokens=True)
            results.append((raw, float(token_lp[row, :end].sum()), end, secs))
        return results

    def close(self) -> None:
        self.model = None
        self.tokenizer = None


def _stop_strings(prompt: Prompt) -> tuple[str, ...]:
    """A completion ends at the closing fence, a tactic at the end of its line, a chat answer at
    end-of-turn (the eos token)."""
    if prompt.messages is not None:
        return ()
    if prompt.style == "tactic":
        return ("\n",)
    return (FENCE,)
