"""Signed tokens for the links sent by email: ``<payload>.<signature>``, both base64url, the
payload a small JSON object, the signature HMAC-SHA256 over a purpose and the payload with the
deployment's key (``storage/signing_keys.py``).

The standard library's ``hmac`` is enough for this (and ``itsdangerous`` would add a dependency
for twenty lines): the signature is compared in constant time (``hmac.compare_digest``), the
purpose is signed in, so a token made for one use (``answer``) is worthless for another
(``courriel``), and any change to the payload — another agency, another consultation, another
position — breaks the signature. What a token may still do (not used yet, not expired, its
member still a focal point) is checked against storage by the caller.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

MAX_TOKEN = 800  # characters: longer is not ours


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, purpose: str, payload: str) -> str:
    return _b64(hmac.new(key, f"{purpose}\0{payload}".encode(), hashlib.sha256).digest())


def sign(key: bytes, purpose: str, fields: dict[str, Any]) -> str:
    """A token carrying ``fields`` (JSON scalars), good for ``purpose`` only."""
    payload = _b64(json.dumps(fields, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_signature(key, purpose, payload)}"


def verify(key: bytes, purpose: str, token: str) -> dict[str, Any] | None:
    """The fields of a token this key signed for ``purpose``; ``None`` for anything else
    (forged, tampered, truncated, made for another purpose or another deployment)."""
    if len(token) > MAX_TOKEN:
        return None
    payload, dot, signature = token.partition(".")
    if not dot or not hmac.compare_digest(signature.encode(),
                                          _signature(key, purpose, payload).encode()):
        return None
    try:
        fields = json.loads(_unb64(payload))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return fields if isinstance(fields, dict) else None


def token_hash(token: str) -> str:
    """What storage keeps of a token (used links, claims): never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()
