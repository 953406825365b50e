"""The ml app in the Django admin: flower samples (with CSV), model versions, species photos."""

from ml.admin import photos, samples, versions

__all__ = ["photos", "samples", "versions"]
