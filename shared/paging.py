"""How every list of the API reads its page: `limit`, and `cursor` or `offset`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.cursors import CursorCodec
from shared.errors import FieldViolation, ValidationFailed

MAX_OFFSET = 10_000


def page_limit(requested: int | None, *, default: int, maximum: int) -> int:
    """The page size: `default` when absent, else 1..`maximum` or a 422 on `limit`."""
    if requested is None:
        return default
    if not 1 <= requested <= maximum:
        raise ValidationFailed.field("limit", f"must be between 1 and {maximum}")
    return requested


@dataclass(frozen=True, slots=True)
class Page:
    """Where a page starts and how long it is."""

    limit: int
    skip: int  # items to drop first (`offset`)
    after: str | None  # the sort key the previous page ended at (from `cursor`)

    @classmethod
    def of(
        cls, request: Any, cursors: CursorCodec, username: str, *, default: int, maximum: int
    ) -> Page:
        """The page a list request asks for; 422 on a bad limit, offset or cursor."""
        has_cursor, has_offset = request.HasField("cursor"), request.HasField("offset")
        if has_cursor and has_offset:
            reason = "give either cursor or offset, not both"
            raise ValidationFailed(
                [FieldViolation("cursor", reason), FieldViolation("offset", reason)]
            )
        limit = page_limit(
            request.limit if request.HasField("limit") else None, default=default, maximum=maximum
        )
        skip = request.offset if has_offset else 0
        if not 0 <= skip <= MAX_OFFSET:
            raise ValidationFailed.field("offset", f"must be between 0 and {MAX_OFFSET}")
        after = cursors.decode(username, request.cursor)["k"] if has_cursor else None
        return cls(limit, skip, after)

    def start_key(self, username: str, range_key: str) -> dict[str, Any] | None:
        """Where a query on the user's partition resumes, as DynamoDB takes it, or None."""
        if self.after is None:
            return None
        return {"username": {"S": username}, range_key: {"S": self.after}}

    @property
    def read_count(self) -> int:
        """Items to read: the skipped ones, the page, and one to tell if more follow."""
        return self.skip + self.limit + 1

    def cut(self, items: list[Any]) -> tuple[list[Any], bool]:
        """The page out of the items read, and whether more follow."""
        rest = items[self.skip :]
        return rest[: self.limit], len(rest) > self.limit
