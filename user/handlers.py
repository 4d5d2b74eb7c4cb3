"""The UserService RPCs: registration, login, logout and the caller's own profile."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import grpc
from cnop.user.v1 import user_pb2, user_pb2_grpc
from google.protobuf import timestamp_pb2

from shared.auth import current_access_token
from shared.errors import NotFound, Unauthenticated, ValidationFailed
from shared.identity import current_user
from shared.interceptors import metadata_value
from shared.text import contains_markup
from user import accounts, rules
from user.lockout import LoginGuard
from user.metrics import counts_logins
from user.passwords import Passwords
from user.sessions import Sessions
from user.store import UserRecord

logger = logging.getLogger(__name__)

# The client's address, as the edge saw it; read from this metadata key only.
CLIENT_ADDRESS_HEADER = "x-cnop-client-address"
MAX_CLIENT_ADDRESS_LENGTH = 64
WRONG_CREDENTIALS = "Invalid username or password"
REGISTRATION_TEXT_FIELDS = ("username", "email", "password", "first_name", "last_name")
PROFILE_TEXT_FIELDS = ("first_name", "last_name", "email", "phone", "date_of_birth")
OPTIONAL_TEXT_FIELDS = ("phone", "date_of_birth")


class UserHandlers(user_pb2_grpc.UserServiceServicer):
    """Accounts and profiles; passwords hashed here, tokens issued by the auth service."""

    def __init__(self, passwords: Passwords, guard: LoginGuard, sessions: Sessions) -> None:
        self._passwords = passwords
        self._guard = guard
        self._sessions = sessions

    def Register(
        self, request: user_pb2.RegisterRequest, context: grpc.ServicerContext
    ) -> user_pb2.RegisterResponse:
        fields = {name: getattr(request, name) for name in REGISTRATION_TEXT_FIELDS}
        fields |= {name: getattr(request, name) for name in OPTIONAL_TEXT_FIELDS}
        account = rules.validate_registration(
            fields, marketing_emails_consent=request.marketing_emails_consent, today=_today()
        )
        password_hash = self._passwords.hash(account.password)
        accounts.create_account(account, password_hash, datetime.now(UTC))
        logger.info("account registered", extra={"event": "register"})
        return user_pb2.RegisterResponse(
            message="Account created; you can log in now", username=account.username
        )

    @counts_logins
    def Login(
        self, request: user_pb2.LoginRequest, context: grpc.ServicerContext
    ) -> user_pb2.LoginResponse:
        if contains_markup(request.username):
            raise ValidationFailed.field("username", rules.MARKUP_MESSAGE)
        username = request.username.lower()
        address = _client_address(context)
        self._guard.check(username, address)

        user = accounts.find_user(username)
        stored_hash = user.password_hash if user is not None else None
        if not self._passwords.verify(stored_hash, request.password):
            self._guard.record_failure(username, address)
            raise Unauthenticated(WRONG_CREDENTIALS)
        self._guard.record_success(username)
        if stored_hash is not None and self._passwords.needs_rehash(stored_hash):
            accounts.replace_password_hash(username, self._passwords.hash(request.password))

        issued = self._sessions.issue(username)
        return user_pb2.LoginResponse(
            access_token=issued.access_token,
            token_type=issued.token_type,
            expires_in=issued.expires_in,
        )

    def Logout(
        self, request: user_pb2.LogoutRequest, context: grpc.ServicerContext
    ) -> user_pb2.LogoutResponse:
        self._sessions.revoke(current_access_token())
        return user_pb2.LogoutResponse(message="Logged out")

    def GetProfile(
        self, request: user_pb2.GetProfileRequest, context: grpc.ServicerContext
    ) -> user_pb2.GetProfileResponse:
        return user_pb2.GetProfileResponse(profile=_profile(_caller_record()))

    def UpdateProfile(
        self, request: user_pb2.UpdateProfileRequest, context: grpc.ServicerContext
    ) -> user_pb2.UpdateProfileResponse:
        fields = {name: getattr(request, name) for name in PROFILE_TEXT_FIELDS}
        given = {name: value for name, value in fields.items() if request.HasField(name)}
        consent = (
            request.marketing_emails_consent
            if request.HasField("marketing_emails_consent")
            else None
        )
        changes = rules.validate_profile_changes(
            given, marketing_emails_consent=consent, today=_today()
        )
        user = accounts.update_profile(_caller_record(), changes, datetime.now(UTC))
        return user_pb2.UpdateProfileResponse(
            success=True, message="Profile updated", user=_profile(user)
        )


def _caller_record() -> UserRecord:
    user = accounts.find_user(current_user())
    if user is None:
        raise NotFound("The account of this token no longer exists")
    return user


def _client_address(context: grpc.ServicerContext) -> str | None:
    address = metadata_value(context, CLIENT_ADDRESS_HEADER)
    if not address:
        return None
    return address[:MAX_CLIENT_ADDRESS_LENGTH]


def _today() -> date:
    return datetime.now(UTC).date()


def _profile(user: UserRecord) -> user_pb2.Profile:
    profile = user_pb2.Profile(
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        marketing_emails_consent=bool(user.marketing_emails_consent),
        created_at=_timestamp(user.created_at),
        updated_at=_timestamp(user.updated_at),
    )
    if user.phone is not None:
        profile.phone = user.phone
    if user.date_of_birth is not None:
        profile.date_of_birth = user.date_of_birth
    return profile


def _timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp
