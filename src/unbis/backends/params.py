"""Typed, validated hyperparameters: each backend declares a frozen dataclass of them."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from unbis.errors import ParameterError

P = TypeVar("P")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _coerce(name: str, value: Any, annotation: Any) -> Any:
    """Turn a string from the command line into the declared type, once, here."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if value is None or (isinstance(value, str) and value.lower() in {"none", "null"}):
            return None
        annotation = args[0]
    if origin is typing.Literal:
        choices = typing.get_args(annotation)
        if value not in choices:
            raise ParameterError(f"{name}={value!r}: choose one of {', '.join(map(str, choices))}")
        return value
    if annotation is bool:
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ParameterError(f"{name}={value!r}: expected true or false")
    if annotation in (int, float, str):
        if annotation is int and isinstance(value, float) and not value.is_integer():
            raise ParameterError(f"{name}={value!r}: expected an integer")
        try:
            return annotation(value)
        except (TypeError, ValueError):
            raise ParameterError(f"{name}={value!r}: expected {annotation.__name__}") from None
    return value


def build_params(cls: type[P], values: Mapping[str, Any] | None = None) -> P:
    """Instantiate the parameter dataclass ``cls`` from (string or typed) values; unknown keys are errors."""
    values = dict(values or {})
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - fields)
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)} for {cls.__name__}; known: {', '.join(sorted(fields))}"
        )
    typed = {k: _coerce(k, v, hints[k]) for k, v in values.items()}
    try:
        return cls(**typed)
    except (TypeError, ValueError) as exc:
        raise ParameterError(str(exc)) from exc


def params_to_dict(params: Any) -> dict[str, Any]:
    return dataclasses.asdict(params)


def check(condition: bool, message: str) -> None:
    """For __post_init__ validation in parameter dataclasses."""
    if not condition:
        raise ParameterError(message)
