"""JSON to protobuf and back, by the conventions of the REST API.

- Output names are the proto field names (snake_case); input takes them or lowerCamelCase.
- Decimal fields (marked `(cnop.api.v1.decimal)`) are strings on output; on input a JSON
  string or a JSON number, the number read from its exact text and never through a float.
- Enums are the lower-case value name without the enum's prefix (`market_buy`), unless a
  value declares its own `(cnop.api.v1.json_value)`; the zero value shows as null.
- Timestamps are RFC 3339 UTC strings with a `Z`; unset optional fields are null.
- An unknown field, a wrong type or a missing required field raises `ValidationFailed`
  naming the field; a body that is not JSON raises `BadJson`.

Each message type is compiled once into a plan of per-field readers and writers, so the
hot path is a loop over a precomputed list.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from cnop.api.v1 import options_pb2
from google.api import field_behavior_pb2
from google.protobuf import descriptor, message

from shared.errors import FieldViolation, ValidationFailed

FD = descriptor.FieldDescriptor
INT_TYPES = frozenset({FD.TYPE_INT32, FD.TYPE_INT64, FD.TYPE_SINT32, FD.TYPE_SINT64,
                       FD.TYPE_UINT32, FD.TYPE_UINT64, FD.TYPE_FIXED32, FD.TYPE_FIXED64,
                       FD.TYPE_SFIXED32, FD.TYPE_SFIXED64})  # fmt: skip
FLOAT_TYPES = frozenset({FD.TYPE_DOUBLE, FD.TYPE_FLOAT})
INT32_RANGE = (-(2**31), 2**31 - 1)
TIMESTAMP = "google.protobuf.Timestamp"
QUERY_TRUE = frozenset({"true", "1"})
QUERY_FALSE = frozenset({"false", "0"})


class BadJson(ValueError):
    """The body is not JSON at all."""


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(body: bytes) -> Any:
    """Parses JSON, keeping every number with a fraction or exponent as an exact Decimal."""
    try:
        return json.loads(
            body,
            parse_float=Decimal,
            parse_constant=_no_constants,
            object_pairs_hook=_object_without_duplicates,
        )
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BadJson(str(error)[:200]) from None


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON lets a key repeat and parsers keep the last: refuse, so the edge and any proxy
    # in front of it cannot read two different requests out of one body.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("an object repeats a key")
    return result


# ---------------------------------------------------------------------------------------
# JSON to protobuf


class _WrongType(Exception):
    def __init__(self, expected: str) -> None:
        self.expected = expected


@dataclass(frozen=True, slots=True)
class _InField:
    name: str
    field: FD
    read: Callable[[Any], Any]  # JSON value -> Python value for the message
    read_query: Callable[[str], Any]
    repeated: bool
    message_type: str | None  # full name of a nested message type, else None
    required: bool


@cache
def _input_plan(message_descriptor: descriptor.Descriptor) -> dict[str, _InField]:
    plan: dict[str, _InField] = {}
    for fd in message_descriptor.fields:
        behaviors = fd.GetOptions().Extensions[field_behavior_pb2.field_behavior]
        nested = _message_name(fd) if fd.type == FD.TYPE_MESSAGE else None
        entry = _InField(
            name=fd.name,
            field=fd,
            read=_reader(fd),
            read_query=_query_reader(fd),
            repeated=fd.is_repeated,
            message_type=nested,
            required=field_behavior_pb2.REQUIRED in behaviors,
        )
        plan[fd.name] = entry
        plan[fd.json_name] = entry
    return plan


def _message_name(fd: FD) -> str:
    assert fd.message_type is not None
    return str(fd.message_type.full_name)


def _enum_of(fd: FD) -> descriptor.EnumDescriptor:
    assert fd.enum_type is not None
    return fd.enum_type


def _is_decimal(fd: FD) -> bool:
    return bool(fd.GetOptions().Extensions[options_pb2.decimal])


def _reader(fd: FD) -> Callable[[Any], Any]:
    if fd.type == FD.TYPE_STRING and _is_decimal(fd):
        return _read_decimal
    if fd.type == FD.TYPE_STRING:
        return _typed(str, "a string")
    if fd.type == FD.TYPE_BOOL:
        return _typed(bool, "true or false")
    if fd.type in INT_TYPES:
        return _read_int
    if fd.type in FLOAT_TYPES:
        return _read_float
    if fd.type == FD.TYPE_ENUM:
        return _enum_reader(_enum_of(fd))
    return _typed(dict, "an object")


def _typed(kind: type, expected: str) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        # bool is an int in Python; keep JSON's true/false out of other types.
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise _WrongType(expected)
        return value

    return read


def _read_decimal(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _WrongType("a decimal number or a string holding one")
    if isinstance(value, str):
        return value  # the service checks the text; a string is never rounded here
    return format(Decimal(value), "f")


def _read_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, Decimal) and value == value.to_integral_value():
            value = int(value)
        else:
            raise _WrongType("a whole number")
    if not INT32_RANGE[0] <= value <= INT32_RANGE[1]:
        raise _WrongType("a whole number in the 32-bit range")
    return value


def _read_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _WrongType("a number")
    return float(value)


def _enum_reader(enum: descriptor.EnumDescriptor) -> Callable[[Any], int]:
    spellings = {json_spelling(value): value.number for value in enum.values if value.number}
    by_name = {value.name: value.number for value in enum.values if value.number}
    expected = "one of " + ", ".join(sorted(spellings))

    def read(value: Any) -> int:
        if isinstance(value, str):
            number = spellings.get(value) or by_name.get(value)
            if number is not None:
                return number
        raise _WrongType(expected)

    return read


def _query_reader(fd: FD) -> Callable[[str], Any]:
    if fd.type == FD.TYPE_BOOL:
        return _query_bool
    if fd.type in INT_TYPES:
        return _query_int
    if fd.type in FLOAT_TYPES:
        return _query_float
    if fd.type == FD.TYPE_ENUM:
        return _enum_reader(_enum_of(fd))
    if fd.type == FD.TYPE_STRING:
        return str
    return _query_unsupported


def _query_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in QUERY_TRUE:
        return True
    if lowered in QUERY_FALSE:
        return False
    raise _WrongType("true or false")


def _query_int(text: str) -> int:
    try:
        return _read_int(int(text))
    except ValueError:
        raise _WrongType("a whole number") from None


def _query_float(text: str) -> float:
    try:
        return _read_float(Decimal(text))
    except InvalidOperation:
        raise _WrongType("a number") from None


def _query_unsupported(_text: str) -> Any:
    raise _WrongType("a value that cannot be given in the query string")


def json_to_message(
    message_class: type,
    body: Any,
    path_params: Mapping[str, str] | None = None,
    query: Mapping[str, list[str]] | None = None,
) -> message.Message:
    """Builds a request message from a JSON body, path parameters and query parameters."""
    target = message_class()
    violations: list[FieldViolation] = []
    if body is not None:
        if not isinstance(body, dict):
            raise ValidationFailed.field("body", "must be a JSON object")
        _fill(target, body, "", violations)
    plan = _input_plan(target.DESCRIPTOR)
    for name, values in (query or {}).items():
        entry = plan.get(name)
        if entry is None or entry.message_type is not None or name in (path_params or {}):
            continue  # unknown query parameters are ignored, as browsers add their own
        _set_query(target, entry, values, violations)
    for name, value in (path_params or {}).items():
        setattr(target, name, value)
    _check_required(target, "", violations)
    if violations:
        raise ValidationFailed(violations)
    return target


def _fill(
    target: message.Message, body: dict[str, Any], prefix: str, violations: list[FieldViolation]
) -> None:
    plan = _input_plan(target.DESCRIPTOR)
    given: set[str] = set()
    for key, value in body.items():
        entry = plan.get(key)
        path = f"{prefix}{key}"
        if entry is None:
            violations.append(FieldViolation(path, "is not a known field"))
            continue
        if entry.name in given:
            violations.append(FieldViolation(path, "is given twice, in both spellings"))
            continue
        given.add(entry.name)
        if value is None:
            continue  # null means "not given", as in proto3 JSON
        try:
            _assign(target, entry, value, f"{prefix}{entry.name}", violations)
        except _WrongType as wrong:
            violations.append(FieldViolation(f"{prefix}{entry.name}", f"must be {wrong.expected}"))


def _assign(
    target: message.Message,
    entry: _InField,
    value: Any,
    path: str,
    violations: list[FieldViolation],
) -> None:
    if entry.repeated:
        if not isinstance(value, list):
            raise _WrongType("a list")
        container = getattr(target, entry.name)
        for index, item in enumerate(value):
            if entry.message_type is not None:
                _fill(container.add(), entry.read(item), f"{path}[{index}].", violations)
            else:
                container.append(entry.read(item))
        return
    if entry.message_type == TIMESTAMP:
        if not isinstance(value, str):
            raise _WrongType("an RFC 3339 timestamp")
        try:
            getattr(target, entry.name).FromJsonString(value)
        except ValueError:
            raise _WrongType("an RFC 3339 timestamp") from None
        return
    if entry.message_type is not None:
        _fill(getattr(target, entry.name), entry.read(value), f"{path}.", violations)
        return
    setattr(target, entry.name, entry.read(value))


def _set_query(
    target: message.Message,
    entry: _InField,
    values: list[str],
    violations: list[FieldViolation],
) -> None:
    try:
        if entry.repeated:
            getattr(target, entry.name).extend(entry.read_query(v) for v in values)
        else:
            setattr(target, entry.name, entry.read_query(values[-1]))
    except _WrongType as wrong:
        violations.append(FieldViolation(entry.name, f"must be {wrong.expected}"))


def _check_required(target: message.Message, prefix: str, violations: list[FieldViolation]) -> None:
    named = {v.field for v in violations}
    for entry in {id(e): e for e in _input_plan(target.DESCRIPTOR).values()}.values():
        path = f"{prefix}{entry.name}"
        if entry.required and path not in named and not _is_given(target, entry):
            violations.append(FieldViolation(path, "is required"))


def _is_given(target: message.Message, entry: _InField) -> bool:
    if entry.repeated:
        return len(getattr(target, entry.name)) > 0
    if entry.field.has_presence:
        return target.HasField(entry.name)
    # proto3 plain scalars have no presence: the default value means "not given".
    return bool(getattr(target, entry.name))


# ---------------------------------------------------------------------------------------
# protobuf to JSON


def json_spelling(value: descriptor.EnumValueDescriptor) -> str:
    """How an enum value is written in JSON."""
    declared = value.GetOptions().Extensions[options_pb2.json_value]
    if declared:
        return str(declared)
    prefix = _enum_prefix(value.type)
    return value.name.removeprefix(prefix).lower()


def _enum_prefix(enum: descriptor.EnumDescriptor) -> str:
    # OrderType -> ORDER_TYPE_, the prefix buf's STANDARD lint requires on every value.
    name = enum.name
    snake = "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(name))
    return snake.upper() + "_"


_Writer = Callable[[Any], Any]


@cache
def _output_plan(
    message_descriptor: descriptor.Descriptor,
) -> tuple[tuple[str, bool, _Writer], ...]:
    plan = []
    for fd in message_descriptor.fields:
        nullable = fd.has_presence and not fd.is_repeated
        write = _writer(fd)
        if fd.is_repeated:
            write = _list_writer(write)
        plan.append((fd.name, nullable, write))
    return tuple(plan)


def _writer(fd: FD) -> _Writer:
    if fd.type == FD.TYPE_ENUM:
        spellings = {v.number: json_spelling(v) for v in _enum_of(fd).values if v.number}
        return spellings.get
    if fd.type in FLOAT_TYPES:
        return _write_float
    if fd.type == FD.TYPE_MESSAGE and _message_name(fd) == TIMESTAMP:
        return _write_timestamp
    if fd.type == FD.TYPE_MESSAGE:
        return message_to_json
    return _identity


def _identity(value: Any) -> Any:
    return value


def _write_float(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _write_timestamp(value: Any) -> str:
    return str(value.ToJsonString())


def _list_writer(write: _Writer) -> _Writer:
    def write_all(values: Any) -> list[Any]:
        return [write(value) for value in values]

    return write_all


def message_to_json(source: message.Message) -> dict[str, Any]:
    """The JSON object of a message: every field, unset optional ones as null."""
    result: dict[str, Any] = {}
    for name, nullable, write in _output_plan(source.DESCRIPTOR):
        if nullable and not source.HasField(name):
            result[name] = None
        else:
            result[name] = write(getattr(source, name))
    return result
