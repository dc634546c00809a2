"""Proof search: spend a budget of policy proposals and verifier calls to find an accepted proof.

- `sampling.sample_search`: whole-proof sampling, deduplicated, verified in parallel.
- `repair.repair_search`: whole proofs, with a failed attempt's verifier messages fed back.
- `best_first.best_first_search`: best-first tactic search over proof states (ReProver-style);
  `lean_tactics.lean_best_first` runs it on the Lean REPL and re-verifies what it finds.
"""

from .result import Attempt, SearchResult

__all__ = ["Attempt", "SearchResult"]
