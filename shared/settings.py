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

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORTS = {"auth": 50051, "user": 50052, "inventory": 50053, "order": 50054, "edge": 8080}
SERVICES = ("auth", "user", "inventory", "order")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


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
    grpc_workers: int = 16
    shutdown_grace_seconds: float = 10.0
    health_probe_seconds: float = 2.0

    # The REST edge.
    edge_host: str = "0.0.0.0"
    edge_port: int = DEFAULT_PORTS["edge"]
    edge_max_body_bytes: int = 64 * 1024
    edge_default_deadline_seconds: float = 5.0

    # Storage.
    dynamodb_endpoint: str | None = "http://127.0.0.1:8000"
    aws_region: str = "us-east-1"
    table_prefix: str = "cnop-"
    create_tables: bool = True
    redis_url: str = Field(
        default="redis://127.0.0.1:6380/0",
        validation_alias=AliasChoices("CNOP_REDIS_URL", "REDIS_URL"),
    )

    @property
    def is_development(self) -> bool:
        return self.env is Environment.DEVELOPMENT

    def service_addr(self, service: str) -> str:
        """The `host:port` where `service` ("auth", "user", ...) is reached."""
        return str(getattr(self, f"{service}_addr"))

    def listen_port(self, service: str) -> int:
        """The port `service` binds, taken from its address."""
        return int(self.service_addr(service).rsplit(":", 1)[1])


@lru_cache(maxsize=1)
def load_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()
