from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def active_model_loaded() -> None:
    """Ready to predict: an active version exists and its LiteRT interpreter loads."""
    from ml.serving import active_model

    if active_model() is None:
        raise RuntimeError("no model version is active")


class MlConfig(AppConfig):
    name = "ml"
    verbose_name = _("Model and flower data")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from flower_power.health import register_readiness_check

        # The design's /readyz: database, cache and an active model.
        register_readiness_check("model", active_model_loaded)
