from rest_framework.permissions import BasePermission


class IsManager(BasePermission):
    """Staff in the Managers group (or a superuser)."""

    message = "Only managers may do this."

    def has_permission(self, request, view) -> bool:
        return bool(getattr(request.user, "is_manager", False))

