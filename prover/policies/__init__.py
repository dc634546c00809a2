"""Policies propose proofs: `portfolio` (no weights), `hf:PATH` (transformers), `vllm:PATH` (vLLM)."""
