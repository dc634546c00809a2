"""The `prover` command line: one subcommand per job (see `prover --help`)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__
from .commands import COMMANDS
from .errors import UserError


class _OneLineParser(argparse.ArgumentParser):
    """A command's parser whose usage errors are one line (the usage block is what --help is for)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="prover",
        description="Train and evaluate theorem provers against real verifiers (Lean 4, Dafny).",
        epilog="Run `prover doctor` first to see which verifiers and backends this machine has.",
    )
    parser.add_argument("--version", action="version", version=f"prover {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineParser)
    for name, module_path in COMMANDS.items():
        module = importlib.import_module(module_path)
        p = sub.add_parser(name, help=module.HELP, description=module.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(_run=module.run, _resume=getattr(module, "RESUME", ""))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        status = int(args._run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except UserError as e:
        print(f"prover {args.command}: error: {one_line(str(e))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`prover eval --list | head -1`): nothing more can be shown.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"prover {args.command}: output closed by the reader (broken pipe); stopped", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return _interrupted(args)


def _interrupted(args: argparse.Namespace) -> int:
    """Ctrl-C: kill every verifier process, say how to continue, and leave at once: the threads still
    waiting on killed processes (or on a model's generate call) would only hold the exit up."""
    procs = sys.modules.get("verifier_core.procs")
    if procs is not None:
        procs.REAPER.kill_all()
    resume = args._resume.format(out=getattr(args, "out", None) or "OUT")
    print(f"prover {args.command}: interrupted{'; ' + resume if resume else ''}", file=sys.stderr)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(130)  # the reaper kills any process group started after kill_all


def one_line(message: str) -> str:
    """A message on one line: its own line breaks become "; "."""
    return "; ".join(part.strip() for part in message.splitlines() if part.strip())


if __name__ == "__main__":
    sys.exit(main())
