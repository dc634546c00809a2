"""Duplicates across benchmarks: the same program under other names, or nearly the same program.

Statement hashes miss what matters here: DafnyBench holds the Clover and MBPP-DFY programs verbatim,
vericoding's `dafnybench` source shares programs with both, under other ids and with other comments.
Two measures on the Dafny token stream (comments dropped, whitespace ignored):

* `fingerprint`: identifiers renamed in order of first use (`x`, `y` -> `v0`, `v1`), keywords and
  built-in types kept; equal fingerprints are the same program up to renaming.
* `jaccard` of token 3-gram sets (identifiers renamed the same way); >= `NEAR` counts as a near
  duplicate (a changed constant or one extra clause).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from verifier_core.languages import language

NEAR = 0.8
KEYWORDS = frozenset("""
abstract allocated as assert assume break by calc case class codatatype colemma const constructor
copredicate datatype decreases default else ensures exists false forall fresh function ghost if imap
import in include inductive invariant iset is iterator label lemma map match method modifies modify
module multiset nat new newtype null object old opened predicate print reads real refines requires
return returns seq set static string then this trait true twostate type unchanged var while yield
yields int bool char array array2 array3 bv8 bv16 bv32 bv64 to downto for least greatest opaque
reveal expect witness""".split())


def tokens(text: str) -> list[str]:
    """Code tokens with identifiers renamed by first use; comments dropped."""
    names: dict[str, str] = {}
    out = []
    for t in language("dafny").syntax.tokenize(text):
        if t.kind == "comment":
            continue
        if t.kind == "ident" and t.text not in KEYWORDS:
            t_text = names.setdefault(t.text, f"v{len(names)}")
        else:
            t_text = t.text
        out.append(t_text)
    return out


def fingerprint(text: str) -> str:
    return hashlib.sha256("\x1f".join(tokens(text)).encode("utf-8")).hexdigest()


def shingles(text: str, n: int = 3) -> frozenset[tuple[str, ...]]:
    toks = tokens(text)
    if len(toks) < n:
        return frozenset([tuple(toks)])
    return frozenset(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


@dataclass(frozen=True)
class Match:
    """`item` (of the queried set) is a duplicate (`exact`) or near duplicate of `other`."""

    item: str
    other: str
    similarity: float
    exact: bool


class Index:
    """Programs to compare against (e.g. every held-out and test item), by id."""

    def __init__(self, items: Iterable[tuple[str, str]], threshold: float = NEAR):
        self.threshold = threshold
        self._fp: dict[str, str] = {}
        self._sh: dict[str, frozenset] = {}
        self._by_shingle: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for key, text in items:
            self._fp.setdefault(fingerprint(text), key)
            sh = shingles(text)
            self._sh[key] = sh
            for s in sh:
                self._by_shingle[s].append(key)

    def closest(self, key: str, text: str) -> Match | None:
        """The exact duplicate of `text`, else its most similar item at >= threshold, else None."""
        other = self._fp.get(fingerprint(text))
        if other is not None:
            return Match(key, other, 1.0, True)
        mine = shingles(text)
        shared: dict[str, int] = defaultdict(int)
        for s in mine:
            for k in self._by_shingle.get(s, ()):
                shared[k] += 1
        best = None
        for k, c in shared.items():
            sim = c / (len(mine) + len(self._sh[k]) - c)
            if sim >= self.threshold and (best is None or sim > best.similarity):
                best = Match(key, k, sim, False)
        return best


def matches(items: Sequence[tuple[str, str]], index: Index) -> dict[str, Match]:
    """{item id: its match} for every item of `items` that duplicates something in `index`."""
    out = {}
    for key, text in items:
        m = index.closest(key, text)
        if m is not None:
            out[key] = m
    return out
