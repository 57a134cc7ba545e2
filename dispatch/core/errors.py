"""One error shape for every refusal the domain makes; the API turns it into JSON once."""

from typing import Any


class DomainError(Exception):
    """A refused request: `status` is the HTTP status, `code` a stable slug for clients,
    `errors` field-by-field messages, `extra` anything else the answer should carry."""

    status = 422
    code = "invalid_input"

    def __init__(self, message: str, errors: dict[str, Any] | None = None, **extra: Any):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.extra = extra
