"""Password hashing: argon2id, salted and slow, and the same cost for unknown users.

Hashes are argon2id with OWASP's recommended minimum cost (19 MiB, 2 passes, 1 lane):
about 25 ms of one core per hash, so a burst of registrations or logins cannot starve
the service's few cores, while a guess still costs an attacker 19 MiB and the time. A
hash made with other parameters still verifies and is replaced at the next login. A
login for a username that does not exist still verifies a password, against a dummy
hash made at start-up, so the answer takes about as long as for a wrong password.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

DUMMY_PASSWORD_BYTES = 32
TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1


class Passwords:
    """Hashes and checks passwords."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher(
            time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM
        )
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(DUMMY_PASSWORD_BYTES))

    def hash(self, password: str) -> str:
        """A new salted hash of `password`."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether `password` matches; with no stored hash, False after the same work."""
        try:
            self._hasher.verify(stored_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return stored_hash is not None

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether a hash was made with weaker parameters than today's."""
        return self._hasher.check_needs_rehash(stored_hash)
