"""The auth service's key material: configured keys, the development key, rotation."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from auth.keys import (
    DEVELOPMENT_KEY_FILE,
    KeyMaterialError,
    key_id_of,
    load_key_ring,
    private_pem,
    public_pem,
)
from shared.settings import Settings


def settings(tmp_path: Path, **values: object) -> Settings:
    values.setdefault("data_dir", tmp_path)
    if values.get("env") == "production":
        values.setdefault("cursor_secret", "a-production-cursor-secret")
        values.setdefault("internal_secret", "a-production-internal-secret")
    return Settings(**values)  # type: ignore[arg-type]


def test_production_refuses_to_start_without_a_signing_key(tmp_path: Path) -> None:
    with pytest.raises(KeyMaterialError, match="CNOP_AUTH_SIGNING_KEY"):
        load_key_ring(settings(tmp_path, env="production"))
    assert not (tmp_path / DEVELOPMENT_KEY_FILE).exists()


def test_production_uses_the_configured_key_and_derives_its_id(tmp_path: Path) -> None:
    private_key = Ed25519PrivateKey.generate()
    ring = load_key_ring(
        settings(tmp_path, env="production", auth_signing_key=private_pem(private_key).decode())
    )
    assert ring.signing.key_id == key_id_of(private_key.public_key())
    assert public_pem(ring.signing.public_key) == public_pem(private_key.public_key())


def test_a_configured_key_id_is_used(tmp_path: Path) -> None:
    pem = private_pem(Ed25519PrivateKey.generate()).decode()
    ring = load_key_ring(settings(tmp_path, auth_signing_key=pem, auth_signing_key_id="k-2024"))
    assert ring.signing.key_id == "k-2024"


def test_development_makes_a_private_key_file_once_and_reuses_it(tmp_path: Path) -> None:
    first = load_key_ring(settings(tmp_path))
    path = tmp_path / DEVELOPMENT_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    second = load_key_ring(settings(tmp_path))
    assert second.signing.key_id == first.signing.key_id
    assert list(path.parent.iterdir()) == [path]  # no staging file left behind


def test_a_key_that_is_not_ed25519_is_refused(tmp_path: Path) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    pem = other.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    with pytest.raises(KeyMaterialError, match="Ed25519"):
        load_key_ring(settings(tmp_path, auth_signing_key=pem))


def test_a_key_that_is_not_pem_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyMaterialError, match="CNOP_AUTH_SIGNING_KEY"):
        load_key_ring(settings(tmp_path, auth_signing_key="not a key"))


def test_previous_public_keys_join_the_ring_after_the_current_one(tmp_path: Path) -> None:
    old = Ed25519PrivateKey.generate().public_key()
    ring = load_key_ring(settings(tmp_path, auth_previous_public_keys={"old": public_pem(old)}))
    assert list(ring.public_keys()) == [ring.signing.key_id, "old"]
    assert ring.public_key("old") is not None
    assert ring.public_key("unknown") is None


def test_previous_keys_are_read_from_json_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = Ed25519PrivateKey.generate().public_key()
    monkeypatch.setenv("CNOP_AUTH_PREVIOUS_PUBLIC_KEYS", json.dumps({"k1": public_pem(old)}))
    assert list(load_key_ring(settings(tmp_path)).previous) == ["k1"]


def test_an_unusable_previous_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyMaterialError, match="old"):
        load_key_ring(settings(tmp_path, auth_previous_public_keys={"old": "garbage"}))


def test_a_previous_key_may_not_reuse_the_current_key_id(tmp_path: Path) -> None:
    old = public_pem(Ed25519PrivateKey.generate().public_key())
    pem = private_pem(Ed25519PrivateKey.generate()).decode()
    with pytest.raises(KeyMaterialError, match="both"):
        load_key_ring(
            settings(
                tmp_path,
                auth_signing_key=pem,
                auth_signing_key_id="k",
                auth_previous_public_keys={"k": old},
            )
        )
