"""One error shape for every refusal the domain makes; the API turns it into JSON once.

The domain speaks in codes, not sentences: a refusal carries a message code and its parameters,
and each field error is a problem `{"code": ..., "params": {...}}`. The shell renders them in
the asker's language (dispatch/http/messages.py); nothing downstream reads English text.
"""

from typing import Any


def problem(code: str, /, **params: Any) -> dict[str, Any]:
    """One coded problem: a stable slug clients switch on, and what fills in its words."""
    return {"code": code, "params": params}


def as_problem(item: Any) -> dict[str, Any]:
    """A problem from a problem dict or a bare code."""
    if isinstance(item, dict) and "code" in item:
        return {"code": str(item["code"]), "params": dict(item.get("params") or {})}
    return {"code": str(item), "params": {}}


class DomainError(Exception):
    """A refused request: `status` is the HTTP status, `code` a stable slug for the kind of
    refusal, `message` the code of what exactly went wrong with `params` for its words,
    `errors` field by field the problems found, `extra` anything else the answer carries."""

    status = 422
    code = "invalid_input"

    def __init__(self, message: str, errors: dict[str, Any] | None = None, /, **params: Any):
        super().__init__(message)
        self.message = message
        self.params = params
        self.errors = {field: [as_problem(i) for i in (items if isinstance(items, list)
                                                       else [items])]
                       for field, items in (errors or {}).items()} or None
        self.extra: dict[str, Any] = {}

    def __str__(self) -> str:
        return f"{self.message} {self.params}" if self.params else self.message
