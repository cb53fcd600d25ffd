"""Who a request runs as: an account, and the API key it came with (if it came with one)."""

from __future__ import annotations

from dataclasses import dataclass

from regulars.domain.accounts import Account
from regulars.store.credentials import ApiKeyRow


@dataclass(frozen=True)
class Principal:
    account: Account
    key: ApiKeyRow | None = None

    @property
    def credential(self) -> str:
        """A stable name for rate limits: the key, or the account's application passwords."""
        return f"key:{self.key.id}" if self.key else f"user:{self.account.id}"
