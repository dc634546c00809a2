"""Whole-proof sampling and repair against a verifier test double (Dafny-shaped tasks)."""

from verifier_core.records import Message, Task, Verdict
from prover.policies.base import Sample
from prover.search.repair import repair_search
from prover.search.sampling import sample_search

TASK = Task("t1", "dafny", "lemma L(n: nat)\n  ensures n >= 0\n")


class ListPolicy:
    """Hands out a fixed list of outputs in order, recording every request."""

    name = "list"

    def __init__(self, texts):
        self.texts, self.requests = list(texts), []

    def generate(self, requests):
        out = []
        for r in requests:
            self.requests.append(r)
            batch, self.texts = self.texts[: r.n], self.texts[r.n:]
            out.append([Sample(t, raw=t, logprob=-1.0, reason="" if t else "no block") for t in batch])
        return out

    def close(self):
        pass


class SetVerifier:
    """Accepts the texts in `good`; `flaky` texts give one infrastructure error first."""

    lang = "dafny"

    def __init__(self, good, flaky=()):
        self.good, self.flaky, self.checked = set(good), set(flaky), []

    def toolchain(self):
        return "fake 1.0"

    def check(self, task, cand):
        self.checked.append(cand.text)
        if cand.text in self.flaky:
            self.flaky.discard(cand.text)
            return Verdict("error", "worker crashed")
        if cand.text in self.good:
            return Verdict("verified", toolchain="fake 1.0")
        return Verdict("failed", "postcondition", [Message(2, 3, "error", f"cannot prove {cand.text}")],
                       toolchain="fake 1.0")

    def check_many(self, pairs, on_result=None):
        out = []
        for i, (t, c) in enumerate(pairs):
            out.append(self.check(t, c))
            if on_result:
                on_result(i, out[-1])
        return out

    def close(self):
        pass


def test_stops_at_first_verified_batch_and_deduplicates():
    pol = ListPolicy(["{ a }", "{ a }\n", "", "{ b }", "{ ok }", "{ c }", "{ never }"])
    ver = SetVerifier({"{ ok }"})
    res = sample_search(TASK, pol, ver, k=10, batch=3)
    assert res.status == "verified" and res.proof == "{ ok }"
    assert ver.checked == ["{ a }", "{ b }", "{ ok }", "{ c }"]  # duplicate not rechecked
    assert [a.status for a in res.attempts] == ["failed", "failed", "failed", "verified", "failed"]
    assert res.attempts[1].reason == "extract:no block"
    assert res.stop_reason == "proof found" and res.toolchain == "fake 1.0"
    assert res.summary()["attempts"] == 5


def test_collect_all_spends_the_whole_budget():
    pol = ListPolicy(["{ ok }", "{ b }", "{ c }", "{ d }"])
    res = sample_search(TASK, pol, SetVerifier({"{ ok }"}), k=4, batch=2, stop_on_first=False)
    assert len(res.attempts) == 4 and res.status == "verified"


def test_no_proof_reports_best_status_and_why():
    res = sample_search(TASK, ListPolicy(["{ a }", ""]), SetVerifier(set()), k=8, batch=2)
    assert res.status == "failed" and res.proof is None
    assert "no more proposals" in res.stop_reason


def test_infrastructure_errors_are_recorded_as_errors_not_retried_again():
    # the verifier applies the one retry policy itself (verifier_core.retry); search adds no second layer
    ver = SetVerifier({"{ ok }"}, flaky={"{ ok }"})
    res = sample_search(TASK, ListPolicy(["{ ok }"]), ver, k=1, batch=1)
    assert ver.checked == ["{ ok }"]
    assert [a.status for a in res.attempts] == ["error"] and res.status != "failed"


def test_repair_feeds_messages_of_the_failed_attempt_back():
    pol = ListPolicy(["{ a }", "{ b }", "{ ok }", "{ x }"])
    res = repair_search(TASK, pol, SetVerifier({"{ ok }"}), rounds=3, n=2)
    assert res.status == "verified" and res.proof == "{ ok }"
    first, second = pol.requests
    assert first.feedback == [] and second.attempt == "{ a }"
    assert second.feedback == ["line 2:3: error: cannot prove { a }"]


def test_repair_prompt_carries_attempt_and_messages():
    from prover.prompts import build_prompt

    lean = Task("foo", "lean", "theorem foo : 1 = 1 := by", header="import Mathlib\n\n")
    p = build_prompt(lean, "completion", feedback=["line 3:2: error: unsolved goals"], attempt="\n  simp")
    assert p.text.startswith("The following Lean 4 code is incorrect:")
    assert "theorem foo : 1 = 1 := by\n  simp\n```" in p.text and "unsolved goals" in p.text
    assert p.text.endswith("```lean4\nimport Mathlib\n\ntheorem foo : 1 = 1 := by\n")


def test_repair_never_picks_an_output_with_nothing_extracted():
    pol = ListPolicy(["", "{ a }", "{ ok }", "{ x }"])
    res = repair_search(TASK, pol, SetVerifier({"{ ok }"}), rounds=2, n=2)
    assert res.attempts[0].status == "failed" and res.attempts[0].reason == "extract:no block"
    assert pol.requests[1].attempt == "{ a }"  # the empty output scores 0 but has no proof to repair
