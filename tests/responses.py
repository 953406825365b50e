"""Reading API responses in assertions."""


def error_of(response) -> tuple[int, str]:
    """A JSON error response's status and error code, e.g. (403, "permission_denied")."""
    return response.status_code, response.json()["error"]["code"]
