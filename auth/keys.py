"""The auth service's key material: the key that signs, and the keys that still verify.

The signing key is an Ed25519 private key in PEM (PKCS#8), from `CNOP_AUTH_SIGNING_KEY`
(`openssl genpkey -algorithm ed25519` makes one).
Its key id (`kid` in every token header) is `CNOP_AUTH_SIGNING_KEY_ID`, or else derived
from the public key, so two different keys never share an id. Outside development the
service refuses to start without a configured key. In development it makes one on first
start and keeps it at `<data_dir>/auth/signing-key.pem` (mode 0600), so tokens survive
a restart.

Rotating keys: configure the new signing key, and put the old key's id and public key in
`CNOP_AUTH_PREVIOUS_PUBLIC_KEYS` (`{"<kid>": "<PEM>"}`). Tokens signed with the old key
keep verifying; remove it once the token lifetime has passed since the rotation.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.settings import Settings
from shared.tokens import load_public_key

DEVELOPMENT_KEY_FILE = Path("auth") / "signing-key.pem"
KEY_FILE_MODE = 0o600
KEY_DIR_MODE = 0o700
KEY_ID_LENGTH = 16  # base64url characters of the public key's SHA-256: 96 bits


class KeyMaterialError(RuntimeError):
    """The key material is missing or unusable; the message says what to configure."""


@dataclass(frozen=True)
class SigningKey:
    """The private key that signs new tokens, and its key id."""

    key_id: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()


@dataclass(frozen=True)
class KeyRing:
    """The signing key and the previous public keys whose tokens may still be in use."""

    signing: SigningKey
    previous: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        """Every verification key by key id, the current one first."""
        return {self.signing.key_id: self.signing.public_key, **self.previous}

    def public_key(self, key_id: str) -> Ed25519PublicKey | None:
        """The verification key of `key_id`, or None when it is not on the ring."""
        if key_id == self.signing.key_id:
            return self.signing.public_key
        return self.previous.get(key_id)


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """A key id derived from the public key itself."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).digest()
    return base64.urlsafe_b64encode(digest).decode()[:KEY_ID_LENGTH]


def public_pem(public_key: Ed25519PublicKey) -> str:
    """The public key in PEM (SubjectPublicKeyInfo) form."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def private_pem(private_key: Ed25519PrivateKey) -> bytes:
    """The private key in unencrypted PEM (PKCS#8) form."""
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key(pem: bytes, source: str) -> Ed25519PrivateKey:
    """The Ed25519 private key of a PEM; KeyMaterialError naming `source` otherwise."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise KeyMaterialError(f"{source} is not a PEM private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyMaterialError(f"{source} must be an Ed25519 key, not {type(key).__name__}")
    return key


def load_key_ring(settings: Settings) -> KeyRing:
    """The configured key ring; KeyMaterialError when the configuration is unusable."""
    private_key = _signing_private_key(settings)
    key_id = settings.auth_signing_key_id or key_id_of(private_key.public_key())
    previous = _previous_keys(settings.auth_previous_public_keys)
    if key_id in previous:
        raise KeyMaterialError(f"key id {key_id!r} is both the signing key and a previous key")
    return KeyRing(SigningKey(key_id, private_key), previous)


def _signing_private_key(settings: Settings) -> Ed25519PrivateKey:
    if settings.auth_signing_key is not None:
        pem = settings.auth_signing_key.get_secret_value().encode()
        return load_private_key(pem, "CNOP_AUTH_SIGNING_KEY")
    if not settings.is_development:
        raise KeyMaterialError(
            "CNOP_AUTH_SIGNING_KEY (an Ed25519 private key in PEM) must be set outside "
            "development; the auth service does not start without it"
        )
    return development_key(settings.data_dir / DEVELOPMENT_KEY_FILE)


def _previous_keys(configured: dict[str, str]) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    for key_id, pem in configured.items():
        try:
            keys[key_id] = load_public_key(pem)
        except ValueError as error:
            raise KeyMaterialError(
                f"CNOP_AUTH_PREVIOUS_PUBLIC_KEYS[{key_id!r}] is unusable: {error}"
            ) from None
    return keys


def development_key(path: Path) -> Ed25519PrivateKey:
    """The development signing key at `path`, made (mode 0600) the first time."""
    if not path.exists():
        _create_key_file(path, private_pem(Ed25519PrivateKey.generate()))
    return load_private_key(path.read_bytes(), str(path))


def _create_key_file(path: Path, pem: bytes) -> None:
    """Writes `pem` to `path` unless it exists, never leaving a partly written file."""
    path.parent.mkdir(mode=KEY_DIR_MODE, parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, KEY_FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as staged:
            staged.write(pem)
        # A hard link fails when the file exists: a second process keeps the first key.
        os.link(staging, path)
    except FileExistsError:
        pass
    finally:
        staging.unlink(missing_ok=True)
