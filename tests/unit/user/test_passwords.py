"""Password hashes: argon2id, salted, and the same work for unknown users."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from user.passwords import Passwords


@pytest.fixture(scope="module")
def passwords() -> Passwords:
    return Passwords()


def test_hashes_are_salted_argon2id(passwords: Passwords) -> None:
    first, second = passwords.hash("Correct-Horse1"), passwords.hash("Correct-Horse1")
    assert first.startswith("$argon2id$")
    assert first != second
    assert "Correct-Horse1" not in first


def test_only_the_right_password_verifies(passwords: Passwords) -> None:
    stored = passwords.hash("Correct-Horse1")
    assert passwords.verify(stored, "Correct-Horse1")
    assert not passwords.verify(stored, "correct-horse1")
    assert not passwords.verify(stored, "")
    assert not passwords.needs_rehash(stored)


def test_an_unknown_user_never_verifies(passwords: Passwords) -> None:
    assert not passwords.verify(None, "Correct-Horse1")
    assert not passwords.verify(None, "")


class RecordingHasher(PasswordHasher):
    """A real hasher that remembers which stored hashes it was asked to verify against."""

    def __init__(self) -> None:
        super().__init__()
        self.verified_against: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified_against.append(str(hash))
        return super().verify(hash, password)


def cost_of(stored_hash: str) -> str:
    """The algorithm, version and cost parameters of an argon2 hash: "$argon2id$v=19$m=..."."""
    return "$".join(stored_hash.split("$")[:4])


def test_an_unknown_user_costs_the_same_work_as_a_wrong_password() -> None:
    # Equal work, shown without a stopwatch: both logins run one argon2 verification
    # against a hash of the same algorithm and cost parameters.
    hasher = RecordingHasher()
    passwords = Passwords(hasher)
    stored = passwords.hash("Correct-Horse1")
    assert not passwords.verify(stored, "Wrong-Horse1")
    assert not passwords.verify(None, "Wrong-Horse1")
    wrong_password, unknown_user = hasher.verified_against
    assert wrong_password == stored
    assert unknown_user != stored
    assert cost_of(unknown_user) == cost_of(stored)


def test_hashes_of_other_parameters_verify_and_ask_for_a_rehash(passwords: Passwords) -> None:
    legacy = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    stored = legacy.hash("Correct-Horse1")
    assert passwords.verify(stored, "Correct-Horse1")
    assert passwords.needs_rehash(stored)
