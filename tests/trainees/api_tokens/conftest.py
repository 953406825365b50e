"""API tokens: hashed at rest, one per client with a name and a fixed expiry, listed and
revoked by their owner, revoked at once by a password change, deactivation or a manager."""

from knox.crypto import hash_token

from flower_power.api import authentication

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
PING_URL = "/api/v1/auth/ping/"
NEW_PASSWORD = "a brand new passphrase"


def ping(client, raw: str, scheme: str = "Token") -> int:
    return client.get(PING_URL, HTTP_AUTHORIZATION=f"{scheme} {raw}").status_code


def warm(client, raw: str) -> None:
    """Until the token is served from the process cache (the first load is never trusted)."""
    for _ in range(3):
        assert ping(client, raw) == 200
    assert hash_token(raw) in authentication._entries

