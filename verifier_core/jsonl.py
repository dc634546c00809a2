"""JSONL on disk: one record per line, appended and flushed so that a killed job loses nothing."""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from typing import Any, Iterator, TextIO


@dataclass
class Line:
    """One input line: `record` when it parsed as a JSON object, else `error` says why not."""

    lineno: int
    record: dict[str, Any] | None
    error: str = ""


MAX_LINE_BYTES = 8 * 1024 * 1024


def read_jsonl(path: str | os.PathLike) -> Iterator[Line]:
    """Yield every non-blank line of `path`; malformed, binary or huge lines become per-line errors."""
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            yield parse_line(raw, lineno)


def parse_line(raw: bytes, lineno: int) -> Line:
    if len(raw) > MAX_LINE_BYTES:
        return Line(lineno, None, f"line {lineno}: {len(raw)} bytes exceeds the {MAX_LINE_BYTES}-byte limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return Line(lineno, None, f"line {lineno}: not UTF-8 ({e.reason} at byte {e.start})")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        return Line(lineno, None, f"line {lineno}: malformed JSON ({e.msg} at column {e.colno})")
    if not isinstance(obj, dict):
        return Line(lineno, None, f"line {lineno}: expected a JSON object, got {type(obj).__name__}")
    return Line(lineno, obj)


class MalformedLines(ValueError):
    """A file we wrote ourselves has malformed lines other than a torn last one (strict mode)."""


class MalformedLinesWarning(UserWarning):
    """A file we wrote ourselves has malformed lines other than a torn last one; they were skipped."""


def read_records(path: str | os.PathLike, strict: bool = False) -> list[dict[str, Any]]:
    """All records of a file we wrote ourselves (JsonlWriter), for resuming.

    Only a torn last line (no newline at the end: the writer was killed mid-record) is dropped
    silently. Any other malformed line means the file was damaged: it is skipped with a
    `MalformedLinesWarning` that counts them and names the first, or raises `MalformedLines` when
    `strict`.
    """
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        raws = f.read().split(b"\n")
    torn = raws[-1]  # the text after the last newline: b"" unless the last record was cut short
    records, bad = [], []
    for lineno, raw in enumerate(raws, 1):
        if not raw.strip():
            continue
        ln = parse_line(raw, lineno)
        if ln.record is not None:
            records.append(ln.record)
        elif not (lineno == len(raws) and raw is torn):
            bad.append(ln.error)
    if bad:
        msg = f"{path}: {len(bad)} malformed line(s) skipped; first: {bad[0]}"
        if strict:
            raise MalformedLines(msg)
        warnings.warn(msg, MalformedLinesWarning, stacklevel=2)
    return records


class JsonlWriter:
    """Append records to a JSONL file, flushed per record; a torn trailing line is repaired on open."""

    def __init__(self, path: str | os.PathLike, fsync: bool = False):
        self.path = os.fspath(path)
        self.fsync = fsync
        parent = os.path.dirname(self.path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        _drop_torn_tail(self.path)
        self._f: TextIO = open(self.path, "a", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        self._f.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._f.flush()
        if self.fsync:
            os.fsync(self._f.fileno())

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> "JsonlWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _drop_torn_tail(path: str) -> None:
    """A process killed mid-write leaves a last line without newline; cut it so appends stay valid."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return
    with open(path, "rb+") as f:
        f.seek(-1, os.SEEK_END)
        if f.read(1) == b"\n":
            return
        data = f.seek(0) or f.read()
        cut = data.rfind(b"\n") + 1
        f.truncate(cut)
