"""Lean 4 verification through `leanprover-community/repl`: soundness gate, REPL pool, checker.

Heavy or optional pieces are imported lazily so that `import lean_env` stays instant and works
without any Lean installed (the gate and `doctor()` need none).
"""

from .verifier import LeanVerifier
from .toolchain import doctor, find_repl
from .soundness import GateResult, gate

__all__ = ["LeanVerifier", "doctor", "find_repl", "gate", "GateResult"]
