"""Subcommands of the `prover` CLI, one module each.

Every module defines `HELP` (one line for `prover --help`), `add_arguments(parser)` and
`run(args) -> int` (the exit status); a resumable one also `RESUME`, what to do after Ctrl-C. Heavy imports stay inside `run` so `--help` is instant.
"""

COMMANDS = {
    "doctor": "prover.commands.doctor",
    "verify": "prover.commands.verify",
    "serve": "prover.commands.serve",
    "search": "prover.commands.search",
    "eval": "prover.commands.eval",
    "train": "prover.commands.train",
    "setup-lean": "prover.commands.setup_lean",
    "setup-model": "prover.commands.setup_model",
    "selfplay": "prover.commands.selfplay",
    "validate": "prover.commands.validate",
}
