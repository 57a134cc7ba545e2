"""Errors a use case reports to its caller; the API turns each into a JSON 4xx."""

from typing import Any


class ServiceError(Exception):
    status = 422
    code = "invalid_input"

    def __init__(self, message: str, errors: dict[str, Any] | None = None, **extra: Any):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.extra = extra


class BadInput(ServiceError):
    status = 422
    code = "invalid_input"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"
