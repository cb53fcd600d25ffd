"""Password hashes in WordPress's formats; key digests as WooCommerce stores them."""

from __future__ import annotations

import hashlib
import hmac

from regulars.auth import app_passwords, keys
from regulars.auth.passwords import hash_password, verify_password


def test_wordpress_68_hashes_round_trip() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$wp$2y$10$")
    assert verify_password("correct horse", stored) and not verify_password("wrong", stored)


def test_phpass_and_plain_bcrypt_hashes_verify() -> None:
    # The vector from phpass's own test.php ("test12345"), the format WordPress used before 6.8.
    assert verify_password("test12345", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0")
    assert not verify_password("test12346", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0")
    import bcrypt

    legacy = bcrypt.hashpw(b"secret", bcrypt.gensalt(4)).decode().replace("$2b$", "$2y$")
    assert verify_password("secret", legacy)
    assert not verify_password("anything", None)


def test_keys_are_stored_as_woocommerce_digests() -> None:
    new = keys.generate()
    assert new.consumer_key.startswith("ck_") and len(new.consumer_key) == 43
    assert new.digest == hmac.new(b"wc-api", new.consumer_key.encode(), hashlib.sha256).hexdigest()
    assert new.truncated == new.consumer_key[-7:]
    assert keys.method_refusal("read", "POST") == "write" and keys.method_refusal("write", "GET") == "read"
    assert (
        keys.method_refusal("read", "OPTIONS") is None
        and keys.method_refusal("read_write", "TRACE") == "method"
    )


def test_application_passwords_ignore_the_spaces_people_paste() -> None:
    password = app_passwords.generate()
    digest = app_passwords.digest(password, "site")
    assert len(password) == 24 and password.isalnum()
    assert app_passwords.matches(app_passwords.chunked(password), digest, "site")
    assert not app_passwords.matches(password, digest, "other-site")
