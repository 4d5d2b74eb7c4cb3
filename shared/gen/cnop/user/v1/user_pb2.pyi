import datetime

from cnop.api.v1 import options_pb2 as _options_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BalanceTransactionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BALANCE_TRANSACTION_TYPE_UNSPECIFIED: _ClassVar[BalanceTransactionType]
    BALANCE_TRANSACTION_TYPE_DEPOSIT: _ClassVar[BalanceTransactionType]
    BALANCE_TRANSACTION_TYPE_WITHDRAW: _ClassVar[BalanceTransactionType]
    BALANCE_TRANSACTION_TYPE_ORDER_PAYMENT: _ClassVar[BalanceTransactionType]
    BALANCE_TRANSACTION_TYPE_ORDER_SALE: _ClassVar[BalanceTransactionType]

class TransactionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSACTION_STATUS_UNSPECIFIED: _ClassVar[TransactionStatus]
    TRANSACTION_STATUS_PENDING: _ClassVar[TransactionStatus]
    TRANSACTION_STATUS_COMPLETED: _ClassVar[TransactionStatus]
    TRANSACTION_STATUS_FAILED: _ClassVar[TransactionStatus]
BALANCE_TRANSACTION_TYPE_UNSPECIFIED: BalanceTransactionType
BALANCE_TRANSACTION_TYPE_DEPOSIT: BalanceTransactionType
BALANCE_TRANSACTION_TYPE_WITHDRAW: BalanceTransactionType
BALANCE_TRANSACTION_TYPE_ORDER_PAYMENT: BalanceTransactionType
BALANCE_TRANSACTION_TYPE_ORDER_SALE: BalanceTransactionType
TRANSACTION_STATUS_UNSPECIFIED: TransactionStatus
TRANSACTION_STATUS_PENDING: TransactionStatus
TRANSACTION_STATUS_COMPLETED: TransactionStatus
TRANSACTION_STATUS_FAILED: TransactionStatus

class RegisterRequest(_message.Message):
    __slots__ = ("username", "email", "password", "first_name", "last_name", "phone", "date_of_birth", "marketing_emails_consent")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    MARKETING_EMAILS_CONSENT_FIELD_NUMBER: _ClassVar[int]
    username: str
    email: str
    password: str
    first_name: str
    last_name: str
    phone: str
    date_of_birth: str
    marketing_emails_consent: bool
    def __init__(self, username: _Optional[str] = ..., email: _Optional[str] = ..., password: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., phone: _Optional[str] = ..., date_of_birth: _Optional[str] = ..., marketing_emails_consent: _Optional[bool] = ...) -> None: ...

class RegisterResponse(_message.Message):
    __slots__ = ("message", "username")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    message: str
    username: str
    def __init__(self, message: _Optional[str] = ..., username: _Optional[str] = ...) -> None: ...

class LoginRequest(_message.Message):
    __slots__ = ("username", "password")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    username: str
    password: str
    def __init__(self, username: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class LoginResponse(_message.Message):
    __slots__ = ("access_token", "token_type", "expires_in")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_TYPE_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_IN_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    token_type: str
    expires_in: int
    def __init__(self, access_token: _Optional[str] = ..., token_type: _Optional[str] = ..., expires_in: _Optional[int] = ...) -> None: ...

class LogoutRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LogoutResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: str
    def __init__(self, message: _Optional[str] = ...) -> None: ...

class GetProfileRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetProfileResponse(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: Profile
    def __init__(self, profile: _Optional[_Union[Profile, _Mapping]] = ...) -> None: ...

class UpdateProfileRequest(_message.Message):
    __slots__ = ("first_name", "last_name", "email", "phone", "date_of_birth", "marketing_emails_consent")
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    MARKETING_EMAILS_CONSENT_FIELD_NUMBER: _ClassVar[int]
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: str
    marketing_emails_consent: bool
    def __init__(self, first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., date_of_birth: _Optional[str] = ..., marketing_emails_consent: _Optional[bool] = ...) -> None: ...

class UpdateProfileResponse(_message.Message):
    __slots__ = ("success", "message", "user")
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    success: bool
    message: str
    user: Profile
    def __init__(self, success: _Optional[bool] = ..., message: _Optional[str] = ..., user: _Optional[_Union[Profile, _Mapping]] = ...) -> None: ...

class Profile(_message.Message):
    __slots__ = ("username", "email", "first_name", "last_name", "phone", "date_of_birth", "marketing_emails_consent", "created_at", "updated_at")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    MARKETING_EMAILS_CONSENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    username: str
    email: str
    first_name: str
    last_name: str
    phone: str
    date_of_birth: str
    marketing_emails_consent: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, username: _Optional[str] = ..., email: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., phone: _Optional[str] = ..., date_of_birth: _Optional[str] = ..., marketing_emails_consent: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetBalanceRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetBalanceResponse(_message.Message):
    __slots__ = ("current_balance", "updated_at")
    CURRENT_BALANCE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    current_balance: str
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, current_balance: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DepositRequest(_message.Message):
    __slots__ = ("amount", "description")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    amount: str
    description: str
    def __init__(self, amount: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class DepositResponse(_message.Message):
    __slots__ = ("success", "message", "transaction_id", "current_balance", "timestamp")
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENT_BALANCE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    success: bool
    message: str
    transaction_id: str
    current_balance: str
    timestamp: _timestamp_pb2.Timestamp
    def __init__(self, success: _Optional[bool] = ..., message: _Optional[str] = ..., transaction_id: _Optional[str] = ..., current_balance: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WithdrawRequest(_message.Message):
    __slots__ = ("amount", "description")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    amount: str
    description: str
    def __init__(self, amount: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class WithdrawResponse(_message.Message):
    __slots__ = ("success", "message", "transaction_id", "current_balance", "timestamp")
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENT_BALANCE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    success: bool
    message: str
    transaction_id: str
    current_balance: str
    timestamp: _timestamp_pb2.Timestamp
    def __init__(self, success: _Optional[bool] = ..., message: _Optional[str] = ..., transaction_id: _Optional[str] = ..., current_balance: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListBalanceTransactionsRequest(_message.Message):
    __slots__ = ("limit", "cursor", "offset")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    limit: int
    cursor: str
    offset: int
    def __init__(self, limit: _Optional[int] = ..., cursor: _Optional[str] = ..., offset: _Optional[int] = ...) -> None: ...

class ListBalanceTransactionsResponse(_message.Message):
    __slots__ = ("transactions", "total_count", "has_more", "next_cursor")
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    HAS_MORE_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    transactions: _containers.RepeatedCompositeFieldContainer[BalanceTransaction]
    total_count: int
    has_more: bool
    next_cursor: str
    def __init__(self, transactions: _Optional[_Iterable[_Union[BalanceTransaction, _Mapping]]] = ..., total_count: _Optional[int] = ..., has_more: _Optional[bool] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class BalanceTransaction(_message.Message):
    __slots__ = ("transaction_id", "transaction_type", "amount", "description", "status", "created_at", "reference_id")
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    transaction_type: BalanceTransactionType
    amount: str
    description: str
    status: TransactionStatus
    created_at: _timestamp_pb2.Timestamp
    reference_id: str
    def __init__(self, transaction_id: _Optional[str] = ..., transaction_type: _Optional[_Union[BalanceTransactionType, str]] = ..., amount: _Optional[str] = ..., description: _Optional[str] = ..., status: _Optional[_Union[TransactionStatus, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reference_id: _Optional[str] = ...) -> None: ...
