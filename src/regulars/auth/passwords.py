"""Password hashes in WordPress's formats, so accounts move between WordPress and Regulars.

We write WordPress 6.8's `$wp$2y$…` (bcrypt over an HMAC-SHA384 of the password) and verify it,
plain bcrypt `$2y$`/`$2b$`, and the older phpass `$P$` hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import bcrypt

_COST = 10
_ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _prehash(password: str) -> bytes:
    return base64.b64encode(hmac.new(b"wp-sha384", password.encode(), hashlib.sha384).digest())


def hash_password(password: str) -> str:
    hashed = bcrypt.hashpw(_prehash(password), bcrypt.gensalt(_COST)).decode()
    return "$wp$2y$" + hashed[4:]


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    if stored.startswith("$wp$2"):
        return _bcrypt_ok(_prehash(password), "$2b$" + stored[7:])
    if stored.startswith(("$2y$", "$2b$", "$2a$")):
        return _bcrypt_ok(password.encode(), "$2b$" + stored[4:])
    if stored.startswith(("$P$", "$H$")):
        return hmac.compare_digest(_phpass(password, stored).encode(), stored.encode())
    return False


def _bcrypt_ok(secret: bytes, stored: str) -> bool:
    try:
        return bcrypt.checkpw(secret[:72], stored.encode())
    except ValueError:
        return False


def _encode64(data: bytes, count: int) -> str:
    out, i = [], 0
    while i < count:
        value = data[i]
        i += 1
        out.append(_ITOA64[value & 0x3F])
        if i < count:
            value |= data[i] << 8
        out.append(_ITOA64[(value >> 6) & 0x3F])
        if i >= count:
            break
        i += 1
        if i < count:
            value |= data[i] << 16
        out.append(_ITOA64[(value >> 12) & 0x3F])
        if i >= count:
            break
        i += 1
        out.append(_ITOA64[(value >> 18) & 0x3F])
    return "".join(out)


def _phpass(password: str, setting: str) -> str:
    """The portable phpass hash WordPress used before 6.8 (iterated MD5)."""
    count_log2 = _ITOA64.find(setting[3])
    if count_log2 < 7 or count_log2 > 30:
        return "*"
    salt = setting[4:12]
    if len(salt) != 8:
        return "*"
    secret = password.encode()
    digest = hashlib.md5(salt.encode() + secret).digest()  # noqa: S324 - the legacy format itself
    for _ in range(1 << count_log2):
        digest = hashlib.md5(digest + secret).digest()  # noqa: S324
    return setting[:12] + _encode64(digest, 16)
