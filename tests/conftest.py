"""Test-wide settings: one torch thread (2-core machines thrash otherwise), no hub look-ups."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
# Tests must never read or fill the user's persistent verdict cache.
os.environ.setdefault("PROVER_NO_CACHE", "1")
