"""The one retry policy (verifier_core.retry), as both verifiers apply it."""

import pytest

from verifier_core.records import Verdict
from verifier_core.retry import VERIFIER_RETRY, RetryPolicy, with_retries


def run(policy, verdicts):
    tries = []

    def attempt(i):
        tries.append(i)
        return verdicts[min(i, len(verdicts) - 1)]

    return with_retries(policy, attempt), tries


def test_an_error_is_retried_once_with_more_time():
    v, tries = run(VERIFIER_RETRY, [Verdict("error", "crash: the REPL died"), Verdict("verified")])
    assert v.status == "verified" and tries == [0, 1]
    assert VERIFIER_RETRY.timeout(30, 0) == 30 and VERIFIER_RETRY.timeout(30, 1) == 60
    v, tries = run(VERIFIER_RETRY, [Verdict("error", "infra:server crashed")])
    assert v.status == "error" and tries == [0, 1]  # two tries in all, then the error stands


@pytest.mark.parametrize("verdict", [Verdict("failed", "verify: 1 error(s)"), Verdict("timeout", "limit:time"),
                                     Verdict("rejected", "gate:assume"),
                                     Verdict("error", "task:unparsable: unclosed body"),
                                     Verdict("error", "input:wrong-lang: task is lean"),
                                     Verdict("error", "infra:no-dafny: not installed")])
def test_final_verdicts_and_unfixable_errors_are_not_retried(verdict):
    v, tries = run(VERIFIER_RETRY, [verdict, Verdict("verified")])
    assert v is verdict and tries == [0]


def test_backoff_and_attempts(monkeypatch):
    slept = []
    monkeypatch.setattr("verifier_core.retry.time.sleep", slept.append)
    policy = RetryPolicy(attempts=4, backoff_s=0.5, backoff_factor=3.0)
    v, tries = run(policy, [Verdict("error", "infra:x")])
    assert tries == [0, 1, 2, 3] and slept == [0.5, 1.5, 4.5]
