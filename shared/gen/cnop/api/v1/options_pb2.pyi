from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class RateLimitClass(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RATE_LIMIT_CLASS_UNSPECIFIED: _ClassVar[RateLimitClass]
    RATE_LIMIT_CLASS_READ: _ClassVar[RateLimitClass]
    RATE_LIMIT_CLASS_ACCOUNT: _ClassVar[RateLimitClass]
    RATE_LIMIT_CLASS_TRADE: _ClassVar[RateLimitClass]
RATE_LIMIT_CLASS_UNSPECIFIED: RateLimitClass
RATE_LIMIT_CLASS_READ: RateLimitClass
RATE_LIMIT_CLASS_ACCOUNT: RateLimitClass
RATE_LIMIT_CLASS_TRADE: RateLimitClass
ALLOW_ANONYMOUS_FIELD_NUMBER: _ClassVar[int]
allow_anonymous: _descriptor.FieldDescriptor
SUCCESS_STATUS_FIELD_NUMBER: _ClassVar[int]
success_status: _descriptor.FieldDescriptor
RATE_LIMIT_CLASS_FIELD_NUMBER: _ClassVar[int]
rate_limit_class: _descriptor.FieldDescriptor
IDEMPOTENT_FIELD_NUMBER: _ClassVar[int]
idempotent: _descriptor.FieldDescriptor
DECIMAL_FIELD_NUMBER: _ClassVar[int]
decimal: _descriptor.FieldDescriptor
JSON_VALUE_FIELD_NUMBER: _ClassVar[int]
json_value: _descriptor.FieldDescriptor
