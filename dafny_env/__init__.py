"""Dafny verifier: soundness gate, Dafny 4 → 2.3 dialect bridge, DafnyServer pool / CLI backends."""

from .toolchain import doctor
from .verifier import DafnyVerifier

__all__ = ["DafnyVerifier", "doctor"]
