"""`hf:PATH`: sampling from a local transformers checkpoint (CPU or GPU), batched, with log-probs.

Each sample's `logprob` is the sum of the *model's* log-probabilities of its generated tokens (raw
logits, before temperature/top-p), which is what best-first search and importance weights need.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from dataclasses import dataclass, field
from typing import Sequence

from verifier_core import settings
from verifier_core.text import FENCE, Prompt

from ..extract import extract
from ..prompts import prompt_for_request
from .base import Request, Sample



@dataclass
class Generation:
    """One sampled row with everything training needs: the exact prompt string, the completion's
    token ids and their per-token log-probabilities (raw model logits), and how to read it (`style`)."""

    prompt: str
    style: str
    raw: str
    token_ids: list[int] = field(default_factory=list)
    token_logprobs: list[float] = field(default_factory=list)
    seconds: float = 0.0


def default_threads() -> int:
    """torch threads on CPU: `$PROVER_TORCH_THREADS`, default 1 (2 threads next to a busy verifier
    process measured 5-12x slower than 1, see research/stack.md P1)."""
    return settings.current().torch_threads


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

        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if device == "cpu":
            torch.set_num_threads(threads or default_threads())
        if seed is not None:
            torch.manual_seed(seed)
        tokenizer = AutoTokenizer.from_pretrained(path)
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
        model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype).to(device).eval()
        self._setup(model, tokenizer, Path(path), temperature=temperature, top_p=top_p,
                    max_new_tokens=max_new_tokens, batch_size=batch_size, prompt_style=prompt_style, device=device)

    @classmethod
    def from_model(cls, model, tokenizer, *, name: str = "hf:in-memory", temperature: float = 1.0,
                   top_p: float = 0.95, max_new_tokens: int = 512, batch_size: int | None = None,
                   prompt_style: str | None = None) -> "HFPolicy":
        """Wrap a model that is being trained (no copy, no reload): samples come from its current weights."""
        self = cls.__new__(cls)
        self._setup(model, tokenizer, Path(name), temperature=temperature, top_p=top_p,
                    max_new_tokens=max_new_tokens, batch_size=batch_size, prompt_style=prompt_style,
                    device=str(next(model.parameters()).device))
        self.name = name if name.startswith("hf:") else f"hf:{name}"
        return self

    def _setup(self, model, tokenizer, path: Path, *, temperature, top_p, max_new_tokens, batch_size,
               prompt_style, device) -> None:
        self.path = path
        self.name = f"hf:{self.path.name}"
        self.temperature = float(temperature)
        self.top_p = float(top_p)
        self.max_new_tokens = int(max_new_tokens)
        self.device = device
        # Measured on an H200 with a 135M model (bench/policy_throughput.py): decoding is bound by
        # per-step overhead, so 128 rows ran 6.7x the tokens/s of 8 rows; on a CPU, 8 rows already fill it.
        self.batch_size = max(1, int(batch_size or (128 if self.device.startswith("cuda") else 8)))
        self.tokenizer = tokenizer
        self.tokenizer.padding_side = "left"  # decoder-only: generated tokens must follow the prompt
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = model
        self.prompt_style = prompt_style or ("chat" if getattr(self.tokenizer, "chat_template", None) else "completion")
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        self.eos_ids = set(eos if isinstance(eos, list) else [eos])
        self.max_positions = getattr(self.model.config, "max_position_embeddings", None)

    def generate(self, requests: Sequence[Request]) -> list[list[Sample]]:
        """`req.n` samples per request, generated in batches of `batch_size` prompts."""
        out: list[list[Sample]] = [[] for _ in requests]
        for i, rows in enumerate(self.generate_rows(requests)):
            for g in rows:
                got = extract(g.raw, requests[i].task, g.style)
                lp = float(sum(g.token_logprobs)) if g.token_logprobs else 0.0
                out[i].append(Sample(got.text or "", raw=g.raw, logprob=lp, tokens=len(g.token_ids),
                                     seconds=g.seconds, reason=got.reason))
        return out

    def generate_rows(self, requests: Sequence[Request]) -> list[list[Generation]]:
        """Like `generate`, but each sample keeps its prompt, token ids and per-token log-probs (rollouts)."""
        rows: list[tuple[int, Prompt]] = []
        for i, req in enumerate(requests):
            prompt = prompt_for_request(req, self.prompt_style)
            rows.extend((i, prompt) for _ in range(req.n))
        out: list[list[Generation]] = [[] for _ in requests]
        # rows of one stop condition share a batch, since stop strings are a per-call setting
        for stop in sorted({_stop_strings(p) for _, p in rows}, key=str):
            # prompts of similar length share a batch: a batch is padded to its longest prompt, and one
            # 2,000-token spec beside 100-token ones made every row pay for it (stable: a request's
            # samples keep their order)
            group = sorted(((i, p, p.render(self.tokenizer)) for i, p in rows if _stop_strings(p) == stop),
                           key=lambda r: len(r[2]))
            for b in range(0, len(group), self.batch_size):
                chunk = group[b: b + self.batch_size]
                texts = [text for _, _, text in chunk]
                for (i, p, text), g in zip(chunk, self._generate_batch(texts, stop)):
                    g.prompt, g.style = text, p.style
                    out[i].append(g)
        return out

    def _generate_batch(self, texts: list[str], stop: tuple[str, ...]) -> list[Generation]:
        import torch
        from transformers import LogitsProcessorList

        was_training = self.model.training
        self.model.eval()
        t0 = time.monotonic()
        limit = None
        if self.max_positions:
            limit = max(1, self.max_positions - self.max_new_tokens)
        self.tokenizer.truncation_side = "left"  # keep the end of the prompt: that is where code continues
        enc = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=limit is not None,
                             max_length=limit, add_special_tokens=False).to(self.device)
        recorder = _LogprobRecorder()
        sampling = self.temperature > 0
        kwargs = dict(max_new_tokens=self.max_new_tokens, do_sample=sampling, return_dict_in_generate=True,
                      pad_token_id=min(self.eos_ids), eos_token_id=sorted(self.eos_ids),
                      logits_processor=LogitsProcessorList([recorder]))
        if sampling:
            kwargs.update(temperature=self.temperature, top_p=self.top_p, top_k=0)
        else:
            kwargs.update(temperature=None, top_p=None, top_k=None)
        if stop:
            kwargs.update(stop_strings=list(stop), tokenizer=self.tokenizer)
        try:
            with torch.inference_mode():
                gen = self.model.generate(**enc, **kwargs)
        finally:
            if was_training:
                self.model.train()
        new = gen.sequences[:, enc["input_ids"].shape[1]:]
        token_lp = recorder.finish(new)
        secs = (time.monotonic() - t0) / len(texts)
        results = []
        for row in range(new.shape[0]):
            ids = new[row].tolist()
            # finished rows are padded with an eos id: the sample ends at (and includes) its first eos
            end = next((k + 1 for k, t in enumerate(ids) if t in self.eos_ids), len(ids))
            raw = self.tokenizer.decode(ids[:end], skip_special_tokens=True)
            results.append(Generation("", "", raw, ids[:end], token_lp[row, :end].tolist(), secs))
        return results

    def close(self) -> None:
        self.model = None
        self.tokenizer = None


class _LogprobRecorder:
    """A logits processor that keeps the log-probability of each chosen token, one step at a time.

    `output_logits=True` would hold a (batch x steps x vocab) copy of all logits (128 x 512 x 49k fp32 is
    about 13 GB); this keeps one step's distribution and gathers the chosen token when the next step
    shows which token it was. Placed in `logits_processor`, it runs before temperature/top-p, so it
    sees the raw model logits.
    """

    def __init__(self):
        self.prev = None
        self.steps: list = []

    def __call__(self, input_ids, scores):
        import torch

        if self.prev is not None:
            self.steps.append(self.prev.gather(-1, input_ids[:, -1:]).squeeze(-1))
        self.prev = torch.log_softmax(scores.float(), dim=-1)
        return scores

    def finish(self, new_tokens):
        import torch

        if self.prev is not None and len(self.steps) < new_tokens.shape[1]:
            self.steps.append(self.prev.gather(-1, new_tokens[:, len(self.steps): len(self.steps) + 1]).squeeze(-1))
        self.prev = None
        if not self.steps:
            return torch.zeros(new_tokens.shape, dtype=torch.float32)
        return torch.stack(self.steps, dim=1).cpu()


def _stop_strings(prompt: Prompt) -> tuple[str, ...]:
    """A completion ends at the closing fence, a tactic at the end of its line, a chat answer at
    end-of-turn (the eos token)."""
    if prompt.messages is not None:
        return ()
    if prompt.style == "tactic":
        return ("\n",)
    return (FENCE,)
