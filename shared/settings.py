"""Typed settings for every CNOP process, read once from the environment at start-up.

Each process builds one `Settings` object (`load_settings()`) and passes it down; no other
module reads `os.environ`. Variables are prefixed `CNOP_`, except `REDIS_URL`, which is also
honoured as the conventional name. Outside development, settings that would be unsafe in
production (a missing signing key, a placeholder secret) are refused at start-up.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORTS = {"auth": 50051, "user": 50052, "inventory": 50053, "order": 50054, "edge": 8080}
SERVICES = ("auth", "user", "inventory", "order")
METRICS_PORT_OFFSET = 1000  # a service's metrics port: its gRPC port + this
# Placeholders for development only: refused outside it.
DEVELOPMENT_CURSOR_SECRET = "development-only-cursor-secret"  # noqa: S105
DEVELOPMENT_INTERNAL_SECRET = "development-only-internal-secret"  # noqa: S105


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class PriceSource(StrEnum):
    """Where the inventory service's price feed takes its quotes from."""

    SIMULATED = "simulated"  # an offline random walk around the snapshot prices
    COINGECKO = "coingecko"  # the CoinGecko markets API
    FILE = "file"  # a JSON file of prices, re-read on every refresh (tests and demos)


class Settings(BaseSettings):
    """Everything a CNOP process can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="CNOP_", extra="ignore", frozen=True, populate_by_name=True
    )

    env: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"
    data_dir: Path = Path(".data")

    # Where each gRPC service listens (the port) and where its clients reach it.
    auth_addr: str = f"127.0.0.1:{DEFAULT_PORTS['auth']}"
    user_addr: str = f"127.0.0.1:{DEFAULT_PORTS['user']}"
    inventory_addr: str = f"127.0.0.1:{DEFAULT_PORTS['inventory']}"
    order_addr: str = f"127.0.0.1:{DEFAULT_PORTS['order']}"
    # The address every server of a process binds (gRPC, metrics): loopback by default, so
    # a development stack is not open to the network; containers set 0.0.0.0.
    listen_host: str = "127.0.0.1"
    grpc_workers: int = 16
    shutdown_grace_seconds: float = 10.0
    health_probe_seconds: float = 2.0

    # The REST edge.
    edge_host: str = "127.0.0.1"
    edge_port: int = DEFAULT_PORTS["edge"]
    edge_max_body_bytes: int = 64 * 1024
    edge_default_deadline_seconds: float = Field(default=5.0, gt=0)
    # Deadlines of particular RPCs, by RPC name: {"CreateOrder": 8}.
    edge_route_deadlines: dict[str, float] = Field(default_factory=dict)
    edge_cors_origins: list[str] = ["http://localhost:3000", "http://127.0.0.1:3000"]
    # Addresses or networks of proxies whose X-Forwarded-For the edge believes.
    edge_trusted_proxies: list[str] = Field(default_factory=list)
    # Requests per minute per client address and per user, by rate-limit class.
    rate_limit_read_per_minute: int = Field(default=600, gt=0)
    rate_limit_account_per_minute: int = Field(default=30, gt=0)
    rate_limit_trade_per_minute: int = Field(default=120, gt=0)
    # With Redis down, serve requests unlimited (True) or refuse them with 503 (False).
    rate_limit_fail_open: bool = True

    # Storage.
    dynamodb_endpoint: str | None = "http://127.0.0.1:8000"
    aws_region: str = "us-east-1"
    # Namespaces one deployment's tables and Redis keys from another's sharing the stores.
    table_prefix: str = "cnop-"
    create_tables: bool = True
    redis_url: str = Field(
        default="redis://127.0.0.1:6380/0",
        validation_alias=AliasChoices("CNOP_REDIS_URL", "REDIS_URL"),
    )

    # Auth: the Ed25519 key that signs access tokens (PEM, PKCS#8) and its key id; outside
    # development the auth service refuses to start without it. Previous public keys, as a
    # JSON object {"<kid>": "<PEM>"}, keep verifying their tokens until those expire.
    auth_signing_key: SecretStr | None = None
    auth_signing_key_id: str | None = None  # derived from the public key when unset
    auth_previous_public_keys: dict[str, str] = Field(default_factory=dict)
    auth_token_ttl_seconds: int = Field(default=3600, gt=0, le=24 * 3600)
    auth_issuer: str = "cnop-auth"
    auth_audience: str = "cnop"
    auth_clock_leeway_seconds: int = Field(default=5, ge=0, le=60)

    # Login brute-force protection: failures counted per username and per client address
    # within a window; past the limit, every attempt is refused until the lock-out ends.
    login_max_failures_per_username: int = Field(default=5, gt=0)
    login_max_failures_per_address: int = Field(default=20, gt=0)
    login_failure_window_seconds: int = Field(default=15 * 60, gt=0)
    login_lockout_seconds: int = Field(default=15 * 60, gt=0)

    # Circuit breakers on every call to another service (see shared/breaker.py).
    breaker_window_seconds: float = Field(default=10.0, gt=0)
    breaker_minimum_calls: int = Field(default=10, ge=1)
    breaker_failure_rate: float = Field(default=0.5, gt=0, le=1)
    breaker_open_seconds: float = Field(default=5.0, gt=0)
    breaker_trial_calls: int = Field(default=3, ge=1)

    # Lists: the key that signs pagination cursors; shared by every replica.
    cursor_secret: SecretStr = SecretStr(DEVELOPMENT_CURSOR_SECRET)
    cursor_max_age_seconds: int = 24 * 3600
    # Proves a call to the auth service's IssueToken comes from the user service, which
    # alone checks passwords: without it anyone who reaches auth could mint tokens.
    internal_secret: SecretStr = SecretStr(DEVELOPMENT_INTERNAL_SECRET)

    # Inventory price feed: where quotes come from, how often, and when a price is too old.
    price_provider: PriceSource = PriceSource.SIMULATED
    price_refresh_seconds: float = Field(default=30.0, gt=0)
    price_seed: int | None = None  # the simulated market's seed; random (and logged) if unset
    price_file: Path | None = None  # for the "file" provider
    price_max_age_seconds: float = Field(default=600.0, gt=0)  # older: the order service refuses
    coingecko_base_url: str = "https://api.coingecko.com/api/v3"
    coingecko_api_key: SecretStr | None = None
    coingecko_api_key_header: str = "x-cg-demo-api-key"  # x-cg-pro-api-key for a paid plan

    # Observability. Each gRPC service serves Prometheus metrics over HTTP on its own port
    # (unset: its gRPC port + METRICS_PORT_OFFSET; 0: none); the edge serves GET /metrics on
    # its HTTP port. Spans go to an OTLP collector when an endpoint is set, and to a file
    # of JSON lines when `trace_file` is set (tests); otherwise they are made and dropped.
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices("CNOP_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
    )
    trace_file: Path | None = None

    @model_validator(mode="after")
    def _require_price_file(self) -> Settings:
        if self.price_provider is PriceSource.FILE and self.price_file is None:
            raise ValueError("CNOP_PRICE_FILE must be set when CNOP_PRICE_PROVIDER is file")
        return self

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Settings:
        if self.is_development:
            return self
        if self.cursor_secret.get_secret_value() == DEVELOPMENT_CURSOR_SECRET:
            raise ValueError("CNOP_CURSOR_SECRET must be set outside development")
        if self.internal_secret.get_secret_value() == DEVELOPMENT_INTERNAL_SECRET:
            raise ValueError("CNOP_INTERNAL_SECRET must be set outside development")
        return self

    @property
    def is_development(self) -> bool:
        return self.env is Environment.DEVELOPMENT

    def service_addr(self, service: str) -> str:
        """The `host:port` where `service` ("auth", "user", ...) is reached."""
        return str(getattr(self, f"{service}_addr"))

    def listen_port(self, service: str) -> int:
        """The port `service` binds, taken from its address."""
        return int(self.service_addr(service).rsplit(":", 1)[1])

    def metrics_port_of(self, service: str) -> int | None:
        """The port of `service`'s Prometheus metrics, or None when it serves none."""
        if self.metrics_port is None:
            return self.listen_port(service) + METRICS_PORT_OFFSET
        return self.metrics_port or None


@lru_cache(maxsize=1)
def load_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()
