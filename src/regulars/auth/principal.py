"""Who a request runs as: an account, and the API key or application password it came with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regulars.domain.accounts import Account
from regulars.store.credentials import ApiKeyRow


@dataclass(frozen=True)
class Principal:
    account: Account
    key: ApiKeyRow | None = None
    app_password: str | None = None  # the application password's uuid
    # Since when the credential's use stands recorded (its last_access or last_used); None: not known.
    recorded_at: datetime | None = None

    @property
    def credential(self) -> str:
        """A stable name for rate limits: the key or the application password, so each credential of one
        account has its own allowance (WordPress names an application password by its uuid)."""
        if self.key is not None:
            return f"key:{self.key.id}"
        return f"app:{self.app_password}" if self.app_password else f"user:{self.account.id}"
