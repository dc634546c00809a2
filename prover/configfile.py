"""Typed run configs (train, selfplay) from YAML: dataclasses in, every unknown key an error.

A typo in a config (`lerning_rate: 1e-5`) silently falling back to a default wastes a GPU-day, so
`from_dict` refuses any key the dataclass does not declare and names the closest one it does.
Nested dataclasses, `list[...]`, `dict[str, ...]`, `Optional[...]` and `Literal[...]` are checked.
Numbers are range-checked: every int/float field is >= 0 unless its class lists it in `SIGNED`;
those in `POSITIVE` must be > 0 and those in `FRACTIONS` lie in [0, 1] (class-level tuples).
An empty file is refused: it would silently start a run with every default.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from .errors import UserError

T = TypeVar("T")


class ConfigError(UserError, ValueError):
    """A config file names an unknown key or gives a value of the wrong type."""


def load_config(cls: type[T], path: str | os.PathLike) -> T:
    """Read a YAML (or JSON, a subset of YAML) file into the dataclass `cls`."""
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not a YAML file: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the config: {e.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from None
    if data is None:
        raise ConfigError(f"{path}: the config is empty; write at least one setting (see configs/ for examples)")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping, got {type(data).__name__}")
    return from_dict(cls, data, where=str(path))


def from_dict(cls: type[T], data: dict[str, Any], where: str = "config") -> T:
    """Build `cls` from `data`; unknown keys and mistyped values raise ConfigError naming the path."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping for {cls.__name__}, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = [k for k in data if k not in fields]
    if unknown:
        msgs = []
        for k in unknown:
            close = difflib.get_close_matches(str(k), list(fields), n=1)
            msgs.append(f"{k!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(f"{where}: unknown key(s) {', '.join(msgs)}; {cls.__name__} accepts: {', '.join(fields)}")
    kwargs = {name: _convert(hints[name], value, f"{where}.{name}") for name, value in data.items()}
    for name, value in kwargs.items():
        _check_range(cls, name, value, f"{where}.{name}")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{where}: {e}") from None


def _check_range(cls: type, name: str, value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if name in getattr(cls, "POSITIVE", ()) and not value > 0:
        raise ConfigError(f"{where}: must be > 0, got {value!r}")
    if name in getattr(cls, "FRACTIONS", ()) and not 0 <= value <= 1:
        raise ConfigError(f"{where}: must be between 0 and 1, got {value!r}")
    if name not in getattr(cls, "SIGNED", ()) and value < 0:
        raise ConfigError(f"{where}: must be >= 0, got {value!r}")


def to_dict(obj: Any) -> dict[str, Any]:
    """The plain-data form of a config (what `from_dict` reads back), for run records."""
    return dataclasses.asdict(obj)


def _convert(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return _convert(arg, value, where)
            except ConfigError as e:
                errors.append(str(e))
        raise ConfigError(errors[0] if len(errors) == 1 else f"{where}: {value!r} matches none of {tp}")
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(f"{where}: {value!r} is not one of {list(args)}")
        return value
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, where)
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {type(value).__name__}")
        item = args[0] if args else Any
        out = [_convert(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
        return out if origin is list else tuple(out)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
        vt = args[1] if len(args) == 2 else Any
        return {str(k): _convert(vt, v, f"{where}.{k}") for k, v in value.items()}
    if tp is float:
        # YAML reads `1e-5` (no dot) as a string; accept numeric strings and ints for floats
        if isinstance(value, bool):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected a number, got {value!r}") from None
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    return value
