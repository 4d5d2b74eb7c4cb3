"""The address of the client behind a request, believing X-Forwarded-For only from proxies.

A client can write anything into X-Forwarded-For, so the header counts only when the
connection comes from a configured proxy. Then the entries are read from the right (the
ones the proxies appended) and the first address that is not itself a proxy is the
client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


class ClientAddresses:
    """Finds client addresses given the trusted proxies' networks."""

    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self._trusted: list[Network] = [
            ipaddress.ip_network(entry, strict=False) for entry in trusted_proxies
        ]

    def client_of(self, peer: str | None, forwarded_for: str | None) -> str:
        """The client's address for a connection from `peer` with that header."""
        if peer is None:
            return UNKNOWN
        if not forwarded_for or not self._is_trusted(peer):
            return peer
        for entry in reversed([part.strip() for part in forwarded_for.split(",")]):
            if not self._is_trusted(entry):
                return entry if _is_address(entry) else peer
        return peer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
