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

class OrderType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_TYPE_UNSPECIFIED: _ClassVar[OrderType]
    ORDER_TYPE_MARKET_BUY: _ClassVar[OrderType]
    ORDER_TYPE_MARKET_SELL: _ClassVar[OrderType]
    ORDER_TYPE_LIMIT_BUY: _ClassVar[OrderType]
    ORDER_TYPE_LIMIT_SELL: _ClassVar[OrderType]

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_STATUS_UNSPECIFIED: _ClassVar[OrderStatus]
    ORDER_STATUS_PENDING: _ClassVar[OrderStatus]
    ORDER_STATUS_COMPLETED: _ClassVar[OrderStatus]
    ORDER_STATUS_CANCELLED: _ClassVar[OrderStatus]
    ORDER_STATUS_FAILED: _ClassVar[OrderStatus]
    ORDER_STATUS_EXPIRED: _ClassVar[OrderStatus]

class AssetTransactionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSET_TRANSACTION_TYPE_UNSPECIFIED: _ClassVar[AssetTransactionType]
    ASSET_TRANSACTION_TYPE_BUY: _ClassVar[AssetTransactionType]
    ASSET_TRANSACTION_TYPE_SELL: _ClassVar[AssetTransactionType]
ORDER_TYPE_UNSPECIFIED: OrderType
ORDER_TYPE_MARKET_BUY: OrderType
ORDER_TYPE_MARKET_SELL: OrderType
ORDER_TYPE_LIMIT_BUY: OrderType
ORDER_TYPE_LIMIT_SELL: OrderType
ORDER_STATUS_UNSPECIFIED: OrderStatus
ORDER_STATUS_PENDING: OrderStatus
ORDER_STATUS_COMPLETED: OrderStatus
ORDER_STATUS_CANCELLED: OrderStatus
ORDER_STATUS_FAILED: OrderStatus
ORDER_STATUS_EXPIRED: OrderStatus
ASSET_TRANSACTION_TYPE_UNSPECIFIED: AssetTransactionType
ASSET_TRANSACTION_TYPE_BUY: AssetTransactionType
ASSET_TRANSACTION_TYPE_SELL: AssetTransactionType

class CreateOrderRequest(_message.Message):
    __slots__ = ("order_type", "asset_id", "quantity", "price")
    ORDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    order_type: OrderType
    asset_id: str
    quantity: str
    price: str
    def __init__(self, order_type: _Optional[_Union[OrderType, str]] = ..., asset_id: _Optional[str] = ..., quantity: _Optional[str] = ..., price: _Optional[str] = ...) -> None: ...

class CreateOrderResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: Order
    def __init__(self, data: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class ListOrdersRequest(_message.Message):
    __slots__ = ("asset_id", "order_type", "status", "limit", "cursor", "offset")
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    asset_id: str
    order_type: OrderType
    status: OrderStatus
    limit: int
    cursor: str
    offset: int
    def __init__(self, asset_id: _Optional[str] = ..., order_type: _Optional[_Union[OrderType, str]] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., offset: _Optional[int] = ...) -> None: ...

class ListOrdersResponse(_message.Message):
    __slots__ = ("data", "has_more", "next_cursor")
    DATA_FIELD_NUMBER: _ClassVar[int]
    HAS_MORE_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[Order]
    has_more: bool
    next_cursor: str
    def __init__(self, data: _Optional[_Iterable[_Union[Order, _Mapping]]] = ..., has_more: _Optional[bool] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetOrderRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class GetOrderResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: Order
    def __init__(self, data: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("order_id", "order_type", "asset_id", "quantity", "price", "total_amount", "status", "created_at", "updated_at")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    order_type: OrderType
    asset_id: str
    quantity: str
    price: str
    total_amount: str
    status: OrderStatus
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., order_type: _Optional[_Union[OrderType, str]] = ..., asset_id: _Optional[str] = ..., quantity: _Optional[str] = ..., price: _Optional[str] = ..., total_amount: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetPortfolioRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetPortfolioResponse(_message.Message):
    __slots__ = ("assets", "cash_balance", "total_value")
    ASSETS_FIELD_NUMBER: _ClassVar[int]
    CASH_BALANCE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_VALUE_FIELD_NUMBER: _ClassVar[int]
    assets: _containers.RepeatedCompositeFieldContainer[PortfolioAsset]
    cash_balance: str
    total_value: str
    def __init__(self, assets: _Optional[_Iterable[_Union[PortfolioAsset, _Mapping]]] = ..., cash_balance: _Optional[str] = ..., total_value: _Optional[str] = ...) -> None: ...

class PortfolioAsset(_message.Message):
    __slots__ = ("asset_id", "quantity", "current_price", "market_value", "percentage")
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PRICE_FIELD_NUMBER: _ClassVar[int]
    MARKET_VALUE_FIELD_NUMBER: _ClassVar[int]
    PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    asset_id: str
    quantity: str
    current_price: str
    market_value: str
    percentage: str
    def __init__(self, asset_id: _Optional[str] = ..., quantity: _Optional[str] = ..., current_price: _Optional[str] = ..., market_value: _Optional[str] = ..., percentage: _Optional[str] = ...) -> None: ...

class GetAssetBalanceRequest(_message.Message):
    __slots__ = ("asset_id",)
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    asset_id: str
    def __init__(self, asset_id: _Optional[str] = ...) -> None: ...

class GetAssetBalanceResponse(_message.Message):
    __slots__ = ("asset_id", "asset_name", "quantity", "current_price", "total_value", "created_at", "updated_at")
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    ASSET_NAME_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PRICE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_VALUE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    asset_id: str
    asset_name: str
    quantity: str
    current_price: str
    total_value: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, asset_id: _Optional[str] = ..., asset_name: _Optional[str] = ..., quantity: _Optional[str] = ..., current_price: _Optional[str] = ..., total_value: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAssetTransactionsRequest(_message.Message):
    __slots__ = ("asset_id", "limit", "cursor", "offset")
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    asset_id: str
    limit: int
    cursor: str
    offset: int
    def __init__(self, asset_id: _Optional[str] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., offset: _Optional[int] = ...) -> None: ...

class ListAssetTransactionsResponse(_message.Message):
    __slots__ = ("data", "has_more", "next_cursor")
    DATA_FIELD_NUMBER: _ClassVar[int]
    HAS_MORE_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[AssetTransaction]
    has_more: bool
    next_cursor: str
    def __init__(self, data: _Optional[_Iterable[_Union[AssetTransaction, _Mapping]]] = ..., has_more: _Optional[bool] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class AssetTransaction(_message.Message):
    __slots__ = ("asset_id", "transaction_type", "quantity", "price", "total_amount", "order_id", "status", "timestamp")
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    asset_id: str
    transaction_type: AssetTransactionType
    quantity: str
    price: str
    total_amount: str
    order_id: str
    status: OrderStatus
    timestamp: _timestamp_pb2.Timestamp
    def __init__(self, asset_id: _Optional[str] = ..., transaction_type: _Optional[_Union[AssetTransactionType, str]] = ..., quantity: _Optional[str] = ..., price: _Optional[str] = ..., total_amount: _Optional[str] = ..., order_id: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
