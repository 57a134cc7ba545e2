"""Errors a use case reports to its caller; the API turns each into a JSON 4xx."""

from ..core.errors import DomainError


class ServiceError(DomainError):
    pass


class BadInput(ServiceError):
    status = 422
    code = "invalid_input"


class KeyReused(BadInput):
    """An Idempotency-Key already used for a different report."""

    code = "idempotency_key_reused"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class PhotoBudgetExceeded(ServiceError):
    """Too many photos from one person this hour: try again after `retry_after` seconds."""

    status = 429
    code = "photo_budget_exceeded"

    def __init__(self, message: str, /, *, retry_after: int, **params):
        super().__init__(message, **params)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}
        self.extra = {"retry_after": retry_after}


class StaleRuleSet(ServiceError):
    """The rules were replaced since the version the client read."""

    status = 409
    code = "stale_rule_set"


class RuleSetVersionRequired(ServiceError):
    """A replace that does not say which version it replaces (HTTP 428 Precondition Required)."""

    status = 428
    code = "version_required"
