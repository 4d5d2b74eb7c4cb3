"""The comments of the CNOP protos, read from the descriptor set that `make protos` writes.

The generated `_pb2` modules carry no comments, so `scripts/gen_protos.sh` also writes
`cnop/descriptors.binpb` (protoc `--include_source_info`). Its `SourceCodeInfo` locates
each comment by a path of field numbers and indexes into the `FileDescriptorProto`; this
module walks the files once and files every comment under the full name of what it
describes: `cnop.user.v1.UserService.Register`, `cnop.user.v1.RegisterRequest.username`,
`cnop.order.v1.OrderType.ORDER_TYPE_MARKET_BUY`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import resources

from google.protobuf import descriptor_pb2

DESCRIPTOR_SET = "descriptors.binpb"
CNOP_PREFIX = "cnop."

_File = descriptor_pb2.FileDescriptorProto
_Message = descriptor_pb2.DescriptorProto
_Enum = descriptor_pb2.EnumDescriptorProto
_Service = descriptor_pb2.ServiceDescriptorProto
_Path = tuple[int, ...]


@cache
def proto_comments() -> dict[str, str]:
    """Every leading comment of the CNOP protos, by the full name of what it describes."""
    data = resources.files("cnop").joinpath(DESCRIPTOR_SET).read_bytes()
    descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(data)
    comments: dict[str, str] = {}
    for file in descriptor_set.file:
        if not file.package.startswith(CNOP_PREFIX):
            continue  # imports (google.api, google.protobuf) are not part of our API
        by_path = {
            tuple(location.path): _paragraphs(location.leading_comments)
            for location in file.source_code_info.location
            if location.leading_comments.strip()
        }
        for name, path in _named_paths(file):
            if path in by_path:
                comments[name] = by_path[path]
    return comments


def _named_paths(file: _File) -> Iterator[tuple[str, _Path]]:
    package = file.package
    for index, message in enumerate(file.message_type):
        yield from _message_paths(message, package, (_File.MESSAGE_TYPE_FIELD_NUMBER, index))
    for index, enum in enumerate(file.enum_type):
        yield from _enum_paths(enum, package, (_File.ENUM_TYPE_FIELD_NUMBER, index))
    for index, service in enumerate(file.service):
        name = f"{package}.{service.name}"
        path = (_File.SERVICE_FIELD_NUMBER, index)
        yield name, path
        for method_index, method in enumerate(service.method):
            yield f"{name}.{method.name}", (*path, _Service.METHOD_FIELD_NUMBER, method_index)


def _message_paths(message: _Message, scope: str, path: _Path) -> Iterator[tuple[str, _Path]]:
    name = f"{scope}.{message.name}"
    yield name, path
    for index, field in enumerate(message.field):
        yield f"{name}.{field.name}", (*path, _Message.FIELD_FIELD_NUMBER, index)
    for index, nested in enumerate(message.nested_type):
        yield from _message_paths(nested, name, (*path, _Message.NESTED_TYPE_FIELD_NUMBER, index))
    for index, enum in enumerate(message.enum_type):
        yield from _enum_paths(enum, name, (*path, _Message.ENUM_TYPE_FIELD_NUMBER, index))


def _enum_paths(enum: _Enum, scope: str, path: _Path) -> Iterator[tuple[str, _Path]]:
    name = f"{scope}.{enum.name}"
    yield name, path
    for index, value in enumerate(enum.value):
        # Filed under the enum, not under its scope as protobuf names values.
        yield f"{name}.{value.name}", (*path, _Enum.VALUE_FIELD_NUMBER, index)


def _paragraphs(comment: str) -> str:
    """A `//` comment as prose: lines joined with spaces, blank lines kept as breaks."""
    blocks = comment.strip().split("\n\n")
    paragraphs = (" ".join(line.strip() for line in block.splitlines()) for block in blocks)
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
