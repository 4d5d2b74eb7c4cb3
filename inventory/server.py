"""Wiring of the inventory service: store, catalogue and handlers."""

from __future__ import annotations

import grpc
from cnop.inventory.v1 import inventory_pb2_grpc

from inventory.catalogue import Catalogue, load_snapshot
from inventory.handlers import InventoryHandlers
from inventory.store import MODELS
from shared.dynamo import StoreCheck, bind_models
from shared.server import ServiceDefinition, run_service
from shared.settings import Settings


def definition(settings: Settings) -> ServiceDefinition:
    """The inventory service, ready for `run_service`."""
    bind_models(settings, MODELS)
    catalogue = Catalogue()

    def prepare_catalogue() -> None:
        load_snapshot()
        catalogue.reload()

    def register(server: grpc.Server) -> None:
        inventory_pb2_grpc.add_InventoryServiceServicer_to_server(
            InventoryHandlers(catalogue), server
        )

    store_check = StoreCheck(MODELS, create=settings.create_tables, on_ready=prepare_catalogue)
    return ServiceDefinition("inventory", register, checks={"dynamodb": store_check})


def serve(settings: Settings) -> None:
    """Runs the inventory service until it is told to stop."""
    run_service(settings, definition(settings))
