"""WordPress application passwords: 24 random characters, stored as a keyed hash.

They are long random strings, so a fast keyed hash (HMAC-SHA256 under the site's secret) is as
safe as a slow one and keeps each request cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string

_ALPHABET = string.ascii_letters + string.digits
_NOT_ALNUM = re.compile(r"[^a-zA-Z0-9]")


def generate() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(24))


def chunked(password: str) -> str:
    """How WordPress shows a new application password: groups of four."""
    return " ".join(password[i : i + 4] for i in range(0, len(password), 4))


def digest(password: str, site_secret: str) -> str:
    # WordPress ignores the spaces (and anything not alphanumeric) people paste with the password.
    clean = _NOT_ALNUM.sub("", password)
    return hmac.new(site_secret.encode(), clean.encode(), hashlib.sha256).hexdigest()


def matches(password: str, stored_digest: str, site_secret: str) -> bool:
    return hmac.compare_digest(digest(password, site_secret).encode(), stored_digest.encode())
