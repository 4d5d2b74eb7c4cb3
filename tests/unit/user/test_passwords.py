"""Password hashes: argon2id, salted, and the same work for unknown users."""

from __future__ import annotations

import time

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


def test_an_unknown_user_costs_about_as_much_as_a_wrong_password(passwords: Passwords) -> None:
    stored = passwords.hash("Correct-Horse1")
    timings: dict[str | None, list[float]] = {None: [], stored: []}
    # Interleaved, and the fastest of each: other load on the machine only adds time.
    for _ in range(5):
        for stored_hash in timings:
            started = time.perf_counter()
            passwords.verify(stored_hash, "Wrong-Horse1")
            timings[stored_hash].append(time.perf_counter() - started)
    ratio = min(timings[None]) / min(timings[stored])
    assert 0.5 < ratio < 2.0


def test_hashes_of_other_parameters_verify_and_ask_for_a_rehash(passwords: Passwords) -> None:
    legacy = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    stored = legacy.hash("Correct-Horse1")
    assert passwords.verify(stored, "Correct-Horse1")
    assert passwords.needs_rehash(stored)
