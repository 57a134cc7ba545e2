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
