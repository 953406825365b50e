from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MlConfig(AppConfig):
    name = "ml"
    verbose_name = _("Model and flower data")
    default_auto_field = "django.db.models.BigAutoField"
