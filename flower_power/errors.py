"""The one application error type services raise; the API maps it to a 4xx JSON error."""


class ApplicationError(Exception):
    """A request that cannot be carried out, with an HTTP status and a stable code."""

    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        if status is not None:
            self.status_code = status
        self.fields = fields or {}


class Conflict(ApplicationError):
    status_code = 409
    default_code = "conflict"


class NotFound(ApplicationError):
    status_code = 404
    default_code = "not_found"


class ServiceUnavailable(ApplicationError):
    status_code = 503
    default_code = "unavailable"
