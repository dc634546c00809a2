"""A stand-in for the Lean REPL that replays recorded transcripts, with fault injection.

No Lean toolchain can be installed on the development machines, so the REPL client and pool are
tested against this script: a test double, stdlib only, run by its path. It answers a command only
with a response that the real REPL printed for that command in a transcript of
`leanprover-community/repl` (`test/X.in` -> `test/X.expected.out`, shipped in
`tests/fixtures/lean_repl_transcripts.tar.xz`), byte for byte. It never invents Lean output: a
command with no recorded response makes it print a message to stderr and exit with status 2.

Usage (the process speaks the REPL protocol on stdin/stdout):

    python tests/helpers/replay.py [options] TRANSCRIPT [TRANSCRIPT ...]

TRANSCRIPT is an `X.in` file whose `X.expected.out` lies beside it, or a directory: every such pair
under it (recursively, sorted by path; `.in` files without `.expected.out` are skipped).

Matching. Commands are JSON objects separated by blank lines, as in the real REPL. Like the REPL,
the lines of one command are joined *without* their line breaks before parsing (a raw line break
inside a JSON string disappears: see the repo's `invalid_line_break` test), and commands are compared
as parsed JSON, so `{"cmd" : "x"}` and `{"cmd":"x"}` are the same command.
  * default (lookup): the n-th time a command arrives, the double prints the response recorded for
    its n-th occurrence across the loaded transcripts (in load order), and the last recorded one once
    they run out. Replaying the transcripts in load order therefore reproduces them exactly; sending
    one command many times (a pool checking proofs in a header env) repeats a recorded answer.
  * --strict-order: the i-th command must equal the i-th recorded command (transcripts concatenated
    in load order), else exit 2. This is the golden replay of a transcript.

Fault injection (N counts commands answered normally before the fault; default: never):
  --hang-after N        read command N+1, then never answer (sleep until killed).
  --crash-after N       answer command N+1 with the first half of its response, then exit(3).
  --garbage-after N     answer every command after the N-th with a non-JSON line and a blank line.
  --grow-mb-per-cmd M   allocate and touch M MiB more for every command (trips an RSS watchdog).
  --delay-ms D          wait D ms before each answer (a slow but healthy REPL).
  --spawn-child         start a sleeping child process in the same process group, as `lake env repl`
                        does; it lets tests check that a kill reaches the whole group.
Exit status: 0 at end of input, 2 for an unknown command or an unusable transcript, 3 for --crash-after.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

UNKNOWN_COMMAND_STATUS = 2
CRASH_STATUS = 3
GARBAGE = b"\x00\x7fthis is not JSON {{{"


@dataclass
class TranscriptPair:
    """One recorded session: the commands of `X.in` and the responses of `X.expected.out`."""

    input_path: Path
    commands: list[str]
    responses: list[bytes]


def split_commands(text: str) -> list[str]:
    """The commands of an `.in` file, each with its lines joined as the REPL joins them."""
    commands, lines = [], []
    for line in text.split("\n"):
        if line.strip():
            lines.append(line)
        elif lines:
            commands.append("".join(lines))
            lines = []
    if lines:
        commands.append("".join(lines))
    return commands


def split_responses(data: bytes) -> list[bytes]:
    """The responses of an `.expected.out` file; each was printed followed by one blank line."""
    return [chunk for chunk in data.split(b"\n\n") if chunk.strip()]


def command_key(command: str | dict) -> str:
    """A canonical form of a command: equal for commands the REPL would parse to the same object."""
    obj = json.loads(command) if isinstance(command, str) else command
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def load_pair(input_path: Path) -> TranscriptPair:
    """Read `X.in` and `X.expected.out`; the two must hold as many commands as responses."""
    expected = input_path.with_name(input_path.name[: -len(".in")] + ".expected.out")
    commands = split_commands(input_path.read_text(encoding="utf-8"))
    responses = split_responses(expected.read_bytes())
    if len(commands) != len(responses):
        raise ValueError(f"{input_path}: {len(commands)} commands but {len(responses)} responses")
    return TranscriptPair(input_path, commands, responses)


def discover(paths: list[str]) -> list[TranscriptPair]:
    """Every transcript pair named by `paths` (files `X.in` or directories), in load order."""
    pairs = []
    for p in map(Path, paths):
        if p.is_dir():
            inputs = sorted(p.rglob("*.in"))
        elif p.suffix == ".in" and p.is_file():
            inputs = [p]
        else:
            raise ValueError(f"{p}: not an `.in` transcript file or a directory")
        for i in inputs:
            if i.with_name(i.name[: -len(".in")] + ".expected.out").is_file():
                pairs.append(load_pair(i))
            elif p.is_file():
                raise ValueError(f"{i}: no `.expected.out` beside it")
    if not pairs:
        raise ValueError(f"no transcript pairs found in {paths}")
    return pairs


class Responder:
    """Chooses the recorded response for each incoming command (lookup or strict order)."""

    def __init__(self, pairs: list[TranscriptPair], strict_order: bool):
        self.strict_order = strict_order
        self.sequence = [(command_key(c), r) for p in pairs for c, r in zip(p.commands, p.responses)]
        self.table: dict[str, list[bytes]] = {}
        for key, response in self.sequence:
            self.table.setdefault(key, []).append(response)
        self.seen: dict[str, int] = {}
        self.position = 0

    def respond(self, command: str) -> bytes | None:
        """The recorded response, or None when no transcript answers this command."""
        try:
            key = command_key(command)
        except json.JSONDecodeError:
            return None
        if self.strict_order:
            if self.position >= len(self.sequence) or self.sequence[self.position][0] != key:
                return None
            self.position += 1
            return self.sequence[self.position - 1][1]
        recorded = self.table.get(key)
        if not recorded:
            return None
        n = self.seen.get(key, 0)
        self.seen[key] = n + 1
        return recorded[min(n, len(recorded) - 1)]


def read_commands(stream: BinaryIO) -> Iterator[str]:
    """Commands from the REPL's input stream: blank-line separated, lines joined without breaks."""
    lines: list[str] = []
    for raw in stream:
        line = raw.decode("utf-8").rstrip("\r\n")
        if line.strip():
            lines.append(line)
        elif lines:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python tests/helpers/replay.py",
        description="Replay recorded Lean REPL transcripts on stdin/stdout (a test double; "
        "it never invents Lean output).",
        epilog="See the module docstring for the matching rules and exit statuses.",
    )
    p.add_argument("transcripts", nargs="+", help="X.in files (with X.expected.out beside) or directories")
    p.add_argument("--strict-order", action="store_true", help="commands must arrive in recorded order")
    p.add_argument("--hang-after", type=int, default=None, metavar="N", help="never answer command N+1")
    p.add_argument("--crash-after", type=int, default=None, metavar="N",
                   help="print half of the response to command N+1, then exit 3")
    p.add_argument("--garbage-after", type=int, default=None, metavar="N",
                   help="answer every command after the N-th with garbage")
    p.add_argument("--grow-mb-per-cmd", type=int, default=0, metavar="M",
                   help="allocate and touch M MiB per command")
    p.add_argument("--delay-ms", type=int, default=0, metavar="D", help="sleep D ms before each answer")
    p.add_argument("--spawn-child", action="store_true",
                   help="keep a sleeping child process in the same process group")
    p.add_argument("--list-commands", action="store_true",
                   help="print each transcript's recorded commands as one JSON list a line, then exit "
                        "(how a harness learns what the double can answer)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        responder = Responder(discover(args.transcripts), args.strict_order)
    except (OSError, ValueError, json.JSONDecodeError) as e:
        print(f"replay: cannot load transcripts: {e}", file=sys.stderr)
        return UNKNOWN_COMMAND_STATUS
    if args.list_commands:
        for pair in discover(args.transcripts):
            print(json.dumps(pair.commands))
        return 0
    child = None
    if args.spawn_child:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(10**6)"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    out = sys.stdout.buffer
    hoard: list[bytearray] = []
    answered = 0
    for command in read_commands(sys.stdin.buffer):
        if args.grow_mb_per_cmd:
            block = bytearray(args.grow_mb_per_cmd * 1024 * 1024)
            block[::4096] = b"\x01" * len(block[::4096])  # touch every page so RSS really grows
            hoard.append(block)
        if args.hang_after is not None and answered >= args.hang_after:
            while True:
                time.sleep(3600)
        response = responder.respond(command)
        if response is None:
            print(f"replay: no recorded response for command: {command[:500]}", file=sys.stderr)
            return UNKNOWN_COMMAND_STATUS
        if args.delay_ms:
            time.sleep(args.delay_ms / 1000)
        if args.crash_after is not None and answered >= args.crash_after:
            out.write(response[: len(response) // 2])
            out.flush()
            sys.stderr.write("replay: injected crash\n")
            sys.stderr.flush()
            return CRASH_STATUS
        if args.garbage_after is not None and answered >= args.garbage_after:
            out.write(GARBAGE + b"\n\n")
        else:
            out.write(response + b"\n\n")
        out.flush()
        answered += 1
    if child is not None:
        child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
