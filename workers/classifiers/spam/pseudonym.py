"""Keyed hashes of emails and IP addresses, so Redis can count and match people it cannot name."""

import hashlib
import hmac


def pseudonym(secret: bytes | str, value: str) -> str:
    """Return the HMAC-SHA256 of a normalised email or IP under the service secret, in hex."""
    if not secret:
        # An unkeyed hash of an IPv4 address is reversed by trying all 2**32 of them.
        raise ValueError("hashing personal data for Redis needs the service's SECRET_KEY")
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, value.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]
