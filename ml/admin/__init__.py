"""The ml app in the Django admin: flower samples (with CSV) and model versions."""

from ml.admin import samples, versions

__all__ = ["samples", "versions"]
