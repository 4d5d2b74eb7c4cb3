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

class AvailabilityStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AVAILABILITY_STATUS_UNSPECIFIED: _ClassVar[AvailabilityStatus]
    AVAILABILITY_STATUS_AVAILABLE: _ClassVar[AvailabilityStatus]
    AVAILABILITY_STATUS_UNAVAILABLE: _ClassVar[AvailabilityStatus]
AVAILABILITY_STATUS_UNSPECIFIED: AvailabilityStatus
AVAILABILITY_STATUS_AVAILABLE: AvailabilityStatus
AVAILABILITY_STATUS_UNAVAILABLE: AvailabilityStatus

class ListAssetsRequest(_message.Message):
    __slots__ = ("active_only", "limit")
    ACTIVE_ONLY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    active_only: bool
    limit: int
    def __init__(self, active_only: _Optional[bool] = ..., limit: _Optional[int] = ...) -> None: ...

class ListAssetsResponse(_message.Message):
    __slots__ = ("data", "total_count", "active_count")
    DATA_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_COUNT_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[Asset]
    total_count: int
    active_count: int
    def __init__(self, data: _Optional[_Iterable[_Union[Asset, _Mapping]]] = ..., total_count: _Optional[int] = ..., active_count: _Optional[int] = ...) -> None: ...

class GetAssetRequest(_message.Message):
    __slots__ = ("asset_id",)
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    asset_id: str
    def __init__(self, asset_id: _Optional[str] = ...) -> None: ...

class GetAssetResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: AssetDetail
    def __init__(self, data: _Optional[_Union[AssetDetail, _Mapping]] = ...) -> None: ...

class GetPricesRequest(_message.Message):
    __slots__ = ("asset_ids",)
    ASSET_IDS_FIELD_NUMBER: _ClassVar[int]
    asset_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, asset_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetPricesResponse(_message.Message):
    __slots__ = ("prices",)
    PRICES_FIELD_NUMBER: _ClassVar[int]
    prices: _containers.RepeatedCompositeFieldContainer[AssetPrice]
    def __init__(self, prices: _Optional[_Iterable[_Union[AssetPrice, _Mapping]]] = ...) -> None: ...

class AssetPrice(_message.Message):
    __slots__ = ("asset_id", "name", "price", "is_active", "last_updated", "age_seconds")
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_FIELD_NUMBER: _ClassVar[int]
    AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    asset_id: str
    name: str
    price: str
    is_active: bool
    last_updated: _timestamp_pb2.Timestamp
    age_seconds: float
    def __init__(self, asset_id: _Optional[str] = ..., name: _Optional[str] = ..., price: _Optional[str] = ..., is_active: _Optional[bool] = ..., last_updated: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., age_seconds: _Optional[float] = ...) -> None: ...

class Asset(_message.Message):
    __slots__ = ("asset_id", "symbol", "name", "description", "category", "image", "price_usd", "is_active", "market_cap_rank", "market_cap", "total_volume_24h", "price_change_percentage_24h")
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    PRICE_USD_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    MARKET_CAP_RANK_FIELD_NUMBER: _ClassVar[int]
    MARKET_CAP_FIELD_NUMBER: _ClassVar[int]
    TOTAL_VOLUME_24H_FIELD_NUMBER: _ClassVar[int]
    PRICE_CHANGE_PERCENTAGE_24H_FIELD_NUMBER: _ClassVar[int]
    asset_id: str
    symbol: str
    name: str
    description: str
    category: str
    image: str
    price_usd: float
    is_active: bool
    market_cap_rank: int
    market_cap: float
    total_volume_24h: float
    price_change_percentage_24h: float
    def __init__(self, asset_id: _Optional[str] = ..., symbol: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., category: _Optional[str] = ..., image: _Optional[str] = ..., price_usd: _Optional[float] = ..., is_active: _Optional[bool] = ..., market_cap_rank: _Optional[int] = ..., market_cap: _Optional[float] = ..., total_volume_24h: _Optional[float] = ..., price_change_percentage_24h: _Optional[float] = ...) -> None: ...

class AssetDetail(_message.Message):
    __slots__ = ("asset_id", "symbol", "name", "description", "category", "image", "price_usd", "is_active", "market_cap_rank", "market_cap", "total_volume_24h", "price_change_percentage_24h", "availability_status", "price_change_24h", "price_change_percentage_7d", "price_change_percentage_30d", "high_24h", "low_24h", "circulating_supply", "total_supply", "max_supply", "ath", "ath_change_percentage", "ath_date", "atl", "atl_change_percentage", "atl_date", "last_updated")
    ASSET_ID_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    PRICE_USD_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    MARKET_CAP_RANK_FIELD_NUMBER: _ClassVar[int]
    MARKET_CAP_FIELD_NUMBER: _ClassVar[int]
    TOTAL_VOLUME_24H_FIELD_NUMBER: _ClassVar[int]
    PRICE_CHANGE_PERCENTAGE_24H_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_STATUS_FIELD_NUMBER: _ClassVar[int]
    PRICE_CHANGE_24H_FIELD_NUMBER: _ClassVar[int]
    PRICE_CHANGE_PERCENTAGE_7D_FIELD_NUMBER: _ClassVar[int]
    PRICE_CHANGE_PERCENTAGE_30D_FIELD_NUMBER: _ClassVar[int]
    HIGH_24H_FIELD_NUMBER: _ClassVar[int]
    LOW_24H_FIELD_NUMBER: _ClassVar[int]
    CIRCULATING_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    MAX_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    ATH_FIELD_NUMBER: _ClassVar[int]
    ATH_CHANGE_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    ATH_DATE_FIELD_NUMBER: _ClassVar[int]
    ATL_FIELD_NUMBER: _ClassVar[int]
    ATL_CHANGE_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    ATL_DATE_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_FIELD_NUMBER: _ClassVar[int]
    asset_id: str
    symbol: str
    name: str
    description: str
    category: str
    image: str
    price_usd: float
    is_active: bool
    market_cap_rank: int
    market_cap: float
    total_volume_24h: float
    price_change_percentage_24h: float
    availability_status: AvailabilityStatus
    price_change_24h: float
    price_change_percentage_7d: float
    price_change_percentage_30d: float
    high_24h: float
    low_24h: float
    circulating_supply: float
    total_supply: float
    max_supply: float
    ath: float
    ath_change_percentage: float
    ath_date: _timestamp_pb2.Timestamp
    atl: float
    atl_change_percentage: float
    atl_date: _timestamp_pb2.Timestamp
    last_updated: _timestamp_pb2.Timestamp
    def __init__(self, asset_id: _Optional[str] = ..., symbol: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., category: _Optional[str] = ..., image: _Optional[str] = ..., price_usd: _Optional[float] = ..., is_active: _Optional[bool] = ..., market_cap_rank: _Optional[int] = ..., market_cap: _Optional[float] = ..., total_volume_24h: _Optional[float] = ..., price_change_percentage_24h: _Optional[float] = ..., availability_status: _Optional[_Union[AvailabilityStatus, str]] = ..., price_change_24h: _Optional[float] = ..., price_change_percentage_7d: _Optional[float] = ..., price_change_percentage_30d: _Optional[float] = ..., high_24h: _Optional[float] = ..., low_24h: _Optional[float] = ..., circulating_supply: _Optional[float] = ..., total_supply: _Optional[float] = ..., max_supply: _Optional[float] = ..., ath: _Optional[float] = ..., ath_change_percentage: _Optional[float] = ..., ath_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., atl: _Optional[float] = ..., atl_change_percentage: _Optional[float] = ..., atl_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_updated: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
