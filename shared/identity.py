"""The identity of the caller of the RPC being served.

The auth interceptor sets it after verifying the caller's token; handlers read it with
`current_user()`. Nothing else may set it: no service takes an identity from metadata.
"""

from __future__ import annotations

from contextvars import ContextVar

from shared.errors import Unauthenticated

caller_var: ContextVar[str | None] = ContextVar("caller", default=None)


def current_user() -> str:
    """The username of the verified caller; UNAUTHENTICATED when there is none."""
    username = caller_var.get()
    if username is None:
        raise Unauthenticated("This operation needs a valid access token")
    return username
