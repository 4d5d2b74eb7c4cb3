"""Opaque pagination cursors, bound to their user and their list.

A cursor is the position after the last item of a page, signed with the settings'
cursor secret and stamped with its issue time. A cursor from another user or another
list, one older than the configured age, or one that was altered, is a 422 on `cursor`:
it never reveals or reaches another user's data.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer

from shared.errors import ValidationFailed
from shared.settings import Settings


class CursorCodec:
    """Signs and checks the cursors of one list, such as "cash-ledger"."""

    def __init__(self, settings: Settings, list_name: str) -> None:
        self._serializer = URLSafeTimedSerializer(
            settings.cursor_secret.get_secret_value(), salt=f"cnop-cursor:{list_name}"
        )
        self._max_age = settings.cursor_max_age_seconds

    def encode(self, username: str, position: dict[str, Any]) -> str:
        """A cursor that resumes `username`'s list after `position`."""
        return str(self._serializer.dumps({"u": username, "p": position}))

    def decode(self, username: str, cursor: str) -> dict[str, Any]:
        """The position a cursor holds; 422 unless it is `username`'s, intact and fresh."""
        try:
            payload = self._serializer.loads(cursor, max_age=self._max_age)
        except BadData:
            raise ValidationFailed.field("cursor", "is not a valid cursor for this list") from None
        if not isinstance(payload, dict) or payload.get("u") != username:
            raise ValidationFailed.field("cursor", "is not a valid cursor for this list")
        position = payload.get("p")
        if not isinstance(position, dict):
            raise ValidationFailed.field("cursor", "is not a valid cursor for this list")
        return position
