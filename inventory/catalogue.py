"""The asset catalogue: the dated snapshot shipped with CNOP, and the in-memory view of it.

`load_snapshot` writes the snapshot's assets that the table lacks, so it is safe to run
at every start and by many replicas at once. `Catalogue` keeps the table in memory,
sorted by market-cap rank, so listing never scans the table on a request: the replica
that runs the price feed swaps in its new prices after every refresh, and the others
reload the table once per refresh interval (see `inventory.feed`).

Each snapshot entry also names its `coingecko_id`, the market's id for the asset, which
the CoinGecko provider needs (symbols are ambiguous there); it is not stored in the table.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from inventory.store import AssetRecord

logger = logging.getLogger(__name__)

SNAPSHOT_PATH = Path(__file__).with_name("catalogue") / "assets.json"
_DATE_FIELDS = ("ath_date", "atl_date", "last_updated")


def read_snapshot(path: Path = SNAPSHOT_PATH) -> list[AssetRecord]:
    """The snapshot's assets as records, not yet saved."""
    document = json.loads(path.read_text())
    return [_record(entry) for entry in document["assets"]]


def _record(entry: dict[str, Any]) -> AssetRecord:
    fields = dict(entry)
    fields.pop("coingecko_id", None)
    fields["price"] = Decimal(fields.pop("price_usd"))
    for name in _DATE_FIELDS:
        if fields.get(name):
            fields[name] = datetime.fromisoformat(fields[name])
    return AssetRecord(**fields)


def market_ids(path: Path = SNAPSHOT_PATH) -> dict[str, str]:
    """Each snapshot asset's CoinGecko id, by asset id."""
    document = json.loads(path.read_text())
    return {entry["asset_id"]: entry["coingecko_id"] for entry in document["assets"]}


def load_snapshot(path: Path = SNAPSHOT_PATH) -> int:
    """Saves the snapshot's assets that are not in the table yet; returns how many."""
    present = {record.asset_id for record in AssetRecord.scan(attributes_to_get=["asset_id"])}
    missing = [record for record in read_snapshot(path) if record.asset_id not in present]
    with AssetRecord.batch_write() as batch:
        for record in missing:
            batch.save(record)
    if missing:
        logger.info(
            "loaded %d assets from the snapshot", len(missing), extra={"event": "catalogue"}
        )
    return len(missing)


@dataclass(frozen=True, slots=True)
class CatalogueView:
    """An immutable picture of the catalogue, swapped whole on reload."""

    by_id: dict[str, AssetRecord]
    by_rank: list[AssetRecord]
    active_by_rank: list[AssetRecord]


class Catalogue:
    """The assets table held in memory, sorted by market-cap rank."""

    def __init__(self) -> None:
        self._view = CatalogueView({}, [], [])
        self._lock = threading.Lock()

    @property
    def view(self) -> CatalogueView:
        return self._view

    @property
    def loaded(self) -> bool:
        return bool(self._view.by_id)

    def reload(self) -> None:
        """Reads the whole table once and swaps in the new picture."""
        self.replace(sorted(AssetRecord.scan(), key=_rank))

    def replace(self, records: list[AssetRecord]) -> None:
        """Swaps in a new picture built from `records`, already sorted by rank."""
        view = CatalogueView(
            by_id={record.asset_id: record for record in records},
            by_rank=records,
            active_by_rank=[record for record in records if record.is_active],
        )
        with self._lock:
            self._view = view

    def update(self, records: list[AssetRecord]) -> None:
        """Swaps in a picture where `records` replace the assets with the same ids."""
        by_id = {**self._view.by_id, **{record.asset_id: record for record in records}}
        self.replace(sorted(by_id.values(), key=_rank))


def _rank(record: AssetRecord) -> float:
    return float(record.market_cap_rank)
