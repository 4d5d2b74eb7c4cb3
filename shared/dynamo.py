"""DynamoDB helpers shared by the services: exact decimals, table binding and creation.

Models are declared with a base table name; `bind_models` points them at the configured
endpoint, region and table prefix at start-up, so one code path serves DynamoDB Local and
AWS alike. `ensure_tables` creates what is missing and is safe to run from many processes
at once; `cnop tables create` runs it for every table of the mesh.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.connection import Connection
from pynamodb.constants import NUMBER
from pynamodb.exceptions import TableError
from pynamodb.models import Model

from shared.settings import SERVICES, Settings

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 5
LOCAL_CREDENTIAL = "local"  # DynamoDB Local accepts any credentials, but needs some


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number read and written as an exact `Decimal`, never a float."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        if not isinstance(value, Decimal):
            raise TypeError(f"DecimalAttribute takes a Decimal, not {type(value).__name__}")
        return format(value, "f")

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


_transaction_connection: Connection | None = None


def bind_models(settings: Settings, models: Iterable[type[Model]]) -> None:
    """Points models at the configured DynamoDB endpoint, region and table prefix."""
    global _transaction_connection
    _transaction_connection = Connection(
        region=settings.aws_region,
        host=settings.dynamodb_endpoint or None,
        connect_timeout_seconds=CONNECT_TIMEOUT_SECONDS,
        read_timeout_seconds=READ_TIMEOUT_SECONDS,
        **_local_credentials(settings),
    )
    for model in models:
        meta: Any = model.Meta
        base_name = getattr(meta, "base_table_name", None) or meta.table_name
        meta.base_table_name = base_name
        meta.table_name = f"{settings.table_prefix}{base_name}"
        meta.region = settings.aws_region
        meta.host = settings.dynamodb_endpoint or None
        meta.connect_timeout_seconds = CONNECT_TIMEOUT_SECONDS
        meta.read_timeout_seconds = READ_TIMEOUT_SECONDS
        for name, value in _local_credentials(settings).items():
            setattr(meta, name, value)
        # PynamoDB caches a connection per model; drop it so the new settings apply.
        model._connection = None


def _local_credentials(settings: Settings) -> dict[str, Any]:
    if not settings.dynamodb_endpoint:
        return {}  # AWS: the default credential chain (IAM role, environment, profile)
    return {"aws_access_key_id": LOCAL_CREDENTIAL, "aws_secret_access_key": LOCAL_CREDENTIAL}


def transaction_connection() -> Connection:
    """The connection for `TransactWrite`, to the endpoint the models are bound to."""
    if _transaction_connection is None:
        raise RuntimeError("bind_models() must run before a transaction")
    return _transaction_connection


def ensure_tables(models: Iterable[type[Model]]) -> None:
    """Creates the tables of `models` that do not exist yet, on demand billing."""
    for model in models:
        if model.exists():
            continue
        try:
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
            logger.info("created table %s", model.Meta.table_name, extra={"event": "table"})
        except TableError as error:
            # Another process created it between our check and our call: that is fine.
            if "ResourceInUseException" not in str(error.cause):
                raise


def all_models() -> list[type[Model]]:
    """Every model of every service, from each service's `store.MODELS`."""
    from shared import idempotency

    models: list[type[Model]] = list(idempotency.MODELS)
    for service in SERVICES:
        try:
            store = importlib.import_module(f"{service}.store")
        except ModuleNotFoundError:
            continue  # a service that keeps nothing in DynamoDB
        models.extend(model for model in store.MODELS if model not in models)
    return models


def create_all_tables(settings: Settings) -> list[str]:
    """Creates every table of the mesh that is missing; returns all table names."""
    models = all_models()
    bind_models(settings, models)
    ensure_tables(models)
    return [model.Meta.table_name for model in models]


class StoreCheck:
    """A health check of a service's tables that also prepares them on first success.

    Until DynamoDB first answers, each check tries to create the missing tables (when
    `create` is set) and then runs `on_ready` once; afterwards a check is one
    DescribeTable call. Services start before DynamoDB does in the local stack, so
    preparing the store here lets them come up in any order.
    """

    def __init__(
        self,
        models: list[type[Model]],
        *,
        create: bool,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        self._models = models
        self._create = create
        self._on_ready = on_ready
        self._ready = False

    def __call__(self) -> None:
        if self._ready:
            self._models[0].describe_table()
            return
        if self._create:
            ensure_tables(self._models)
        if self._on_ready is not None:
            self._on_ready()
        self._ready = True
