"""The one error type every `prover` command turns into a single line on stderr and exit status 2.

A mistake in what the user asked for (a missing or unreadable file, an unknown benchmark, a bad
option or config value) is not a bug: it deserves one clear line, not a traceback. Project error
types that mean exactly this (`BenchmarkError`, `ConfigError`) derive from `UserError`;
`prover.cli.main` is the one place that prints them.
"""

from __future__ import annotations


class UserError(Exception):
    """What the user asked for cannot be done as asked; the message says what to change."""
