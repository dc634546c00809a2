"""Reward functions for other RL stacks: TRL's `GRPOTrainer` (`trl.py`) and verl (`verl.py`).

Each scores completions with this project's verdicts, through an in-process pool or a `prover serve`
URL (`backend.py`); `error` has no reward (None for TRL), never a 0.
"""
