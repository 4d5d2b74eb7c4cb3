"""JSON Schemas (OpenAPI 3.1) of the CNOP messages, as `edge.transcode` reads and writes them.

A message gets one component schema per direction it travels in, because the edge reads
and writes JSON differently:

- output: every field is always written, so every field is `required`; decimal fields
  are strings; fields with presence (`optional` scalars, messages, timestamps) may be null.
- input: `required` comes from `google.api.field_behavior = REQUIRED`; decimal fields are
  a string or a number; unknown fields are refused (`additionalProperties: false`).

Enums are components of their own, spelled as in JSON (`market_buy`, or a declared
`json_value`). Timestamps are RFC 3339 strings. Descriptions are the proto comments.
"""

from __future__ import annotations

from typing import Any, Literal

from cnop.api.v1 import options_pb2
from google.api import field_behavior_pb2
from google.protobuf import descriptor

from edge.transcode import FLOAT_TYPES, INT_TYPES, TIMESTAMP, json_spelling

FD = descriptor.FieldDescriptor
Direction = Literal["input", "output"]
Schema = dict[str, Any]

SCHEMA_REF = "#/components/schemas/"
# The text of an exact decimal number: no exponent, no sign but a leading minus.
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
INPUT_SUFFIX = "Input"
_INT64_TYPES = frozenset(
    {FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64, FD.TYPE_UINT64, FD.TYPE_FIXED64}
)
_UNSIGNED_TYPES = frozenset({FD.TYPE_UINT32, FD.TYPE_UINT64, FD.TYPE_FIXED32, FD.TYPE_FIXED64})


def is_decimal(fd: FD) -> bool:
    """Whether a string field holds an exact decimal number."""
    return bool(fd.GetOptions().Extensions[options_pb2.decimal])


def is_required(fd: FD) -> bool:
    """Whether a field is declared `google.api.field_behavior = REQUIRED`."""
    behaviors = fd.GetOptions().Extensions[field_behavior_pb2.field_behavior]
    return field_behavior_pb2.REQUIRED in behaviors


class SchemaBook:
    """The component schemas of the messages and enums that the routes use.

    A schema is added the first time a route refers to it; `schemas` is then the
    `components.schemas` of the document.
    """

    def __init__(self, comments: dict[str, str]) -> None:
        self.schemas: dict[str, Schema] = {}
        self._comments = comments
        self._names: dict[tuple[str, str], str] = {}

    def message_ref(self, message: descriptor.Descriptor, direction: Direction) -> Schema:
        """A `$ref` to the schema of a message in one direction, adding it when new."""
        key = (message.full_name, direction)
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = self._free_name(message.name, direction)
            self.schemas[name] = {}  # reserved first: a message may refer to itself
            self.schemas[name] = self._message_schema(message, direction)
        return {"$ref": SCHEMA_REF + name}

    def body_schema(self, message: descriptor.Descriptor, omit: tuple[str, ...] = ()) -> Schema:
        """The schema of a request body: the message less the fields bound to the path."""
        if not omit:
            return self.message_ref(message, "input")
        schema = self._message_schema(message, "input")
        schema["properties"] = {k: v for k, v in schema["properties"].items() if k not in omit}
        required = [name for name in schema.pop("required", []) if name not in omit]
        return {**schema, "required": required} if required else schema

    def field_schema(self, fd: FD, direction: Direction) -> Schema:
        """The schema of one field's JSON value, with the field's comment."""
        schema = self._value_schema(fd, direction)
        if fd.is_repeated:
            schema = {"type": "array", "items": schema}
        elif fd.has_presence:
            schema = _nullable(schema)
        return self._described(schema, fd.full_name)

    def parameter_schema(self, fd: FD) -> Schema:
        """The schema of a field given as a path or query parameter (never a message)."""
        # A decimal parameter is text, as the output form of the field is.
        schema = self._value_schema(fd, "output")
        return {"type": "array", "items": schema} if fd.is_repeated else schema

    def enum_ref(self, enum: descriptor.EnumDescriptor) -> Schema:
        """A `$ref` to the schema of an enum, adding it when new."""
        name = self._names.get((enum.full_name, "enum"))
        if name is None:
            name = self._names[(enum.full_name, "enum")] = self._free_name(enum.name, "output")
            self.schemas[name] = self._enum_schema(enum)
        return {"$ref": SCHEMA_REF + name}

    def comment(self, full_name: str) -> str | None:
        """The proto comment of a message, field or enum, by its full name."""
        return self._comments.get(full_name)

    def _free_name(self, short: str, direction: Direction) -> str:
        taken = set(self.schemas)
        candidates = [short, f"{short}{INPUT_SUFFIX}"] if direction == "input" else [short]
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        index = 2
        while f"{candidates[-1]}{index}" in taken:
            index += 1
        return f"{candidates[-1]}{index}"

    def _message_schema(self, message: descriptor.Descriptor, direction: Direction) -> Schema:
        properties = {fd.name: self.field_schema(fd, direction) for fd in message.fields}
        if direction == "output":
            required = [fd.name for fd in message.fields]
        else:
            required = [fd.name for fd in message.fields if is_required(fd)]
        schema: Schema = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        if direction == "input":
            schema["additionalProperties"] = False
        return self._described(schema, message.full_name)

    def _enum_schema(self, enum: descriptor.EnumDescriptor) -> Schema:
        values = [value for value in enum.values if value.number]
        # OpenAPI has no per-value descriptions: list the values under the enum's comment.
        items = []
        for value in values:
            meaning = self._comments.get(f"{enum.full_name}.{value.name}", "")
            items.append(f"- `{json_spelling(value)}`: {meaning}".rstrip(": "))
        paragraphs = [self._comments.get(enum.full_name, ""), "\n".join(items)]
        return {
            "type": "string",
            "enum": [json_spelling(value) for value in values],
            "description": "\n\n".join(paragraph for paragraph in paragraphs if paragraph),
        }

    def _value_schema(self, fd: FD, direction: Direction) -> Schema:
        if fd.type == FD.TYPE_STRING and is_decimal(fd):
            kinds: str | list[str] = ["string", "number"] if direction == "input" else "string"
            return {"type": kinds, "format": "decimal", "pattern": DECIMAL_PATTERN}
        if fd.enum_type is not None:
            return self.enum_ref(fd.enum_type)
        message = fd.message_type
        if message is not None and message.full_name == TIMESTAMP:
            return {"type": "string", "format": "date-time"}
        if message is not None:
            return self.message_ref(message, direction)
        return _scalar_schema(fd)

    def _described(self, schema: Schema, full_name: str) -> Schema:
        comment = self._comments.get(full_name)
        return {**schema, "description": comment} if comment else schema


def _scalar_schema(fd: FD) -> Schema:
    if fd.type in INT_TYPES:
        schema: Schema = {"type": "integer"}
        schema["format"] = "int64" if fd.type in _INT64_TYPES else "int32"
        if fd.type in _UNSIGNED_TYPES:
            schema["minimum"] = 0
        return schema
    if fd.type in FLOAT_TYPES:
        return {"type": "number", "format": "double" if fd.type == FD.TYPE_DOUBLE else "float"}
    if fd.type == FD.TYPE_BOOL:
        return {"type": "boolean"}
    if fd.type == FD.TYPE_BYTES:
        return {"type": "string", "contentEncoding": "base64"}
    return {"type": "string"}


def _nullable(schema: Schema) -> Schema:
    """The schema that also allows null, as the edge writes an unset optional field."""
    kinds = schema.get("type")
    if "$ref" in schema or kinds is None:
        return {"anyOf": [schema, {"type": "null"}]}
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    return {**schema, "type": [*kinds, "null"]}
