"""API tokens: a random key for the integration, only its digest in the database.

The key has 256 bits of randomness, so one SHA-256 is enough to make a stolen database useless for calling the
API (a slow password hash only matters for keys people choose). Clients send ``Authorization: Token <key>`` as
they did with Django REST framework's own tokens, whose clear keys the migration turns into digests.
"""

import datetime
import hashlib
import secrets

from django.utils import dateparse, timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

PREFIX_LENGTH = 8
# Writing "last used" on every call would make every API call a write; once a few minutes is precise enough.
LAST_USED_PRECISION = datetime.timedelta(minutes=5)


def new_key() -> str:
    return secrets.token_urlsafe(32)


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user, *, label="", created_by=None):
    """Make a token for ``user``; returns the token and its key, which exists nowhere else afterwards."""
    from .models import ApiToken

    key = new_key()
    token = ApiToken.objects.create(
        user=user, label=label, prefix=key[:PREFIX_LENGTH], digest=digest_of(key), created_by=created_by
    )
    return token, key


def import_clear_tokens(api_token_model, connection) -> int:
    """Turn the keys of Django REST framework's token table into digests, then drop that table.

    Called by the data migration (with the historical model) and by its test. Existing integrations keep their
    key; only the clear copy in the database goes. Returns the number of tokens carried over.
    """
    old_table = "authtoken_token"
    if old_table not in connection.introspection.table_names():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, created, user_id FROM {old_table}")
        rows = cursor.fetchall()
    api_token_model.objects.bulk_create(
        [
            api_token_model(
                user_id=user_id, label="REST framework token", prefix=key[:PREFIX_LENGTH], digest=digest_of(key)
            )
            for key, _created, user_id in rows
        ]
    )
    # The carried-over tokens keep their original creation time.
    for key, created, _user_id in rows:
        api_token_model.objects.filter(digest=digest_of(key)).update(created_at=_as_utc(created))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {old_table}")
        # The app is no longer installed; forgetting its migrations lets it be installed afresh if ever needed.
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])
    return len(rows)


def _as_utc(value):
    """SQLite hands a stored time back as naive text in UTC; PostgreSQL as an aware datetime."""
    if isinstance(value, str):
        value = dateparse.parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value


class DigestTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, checked against the stored digests."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        from .models import ApiToken

        token = ApiToken.objects.select_related("user").filter(digest=digest_of(key)).first()
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("This account is no longer active."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
