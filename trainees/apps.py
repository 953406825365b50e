from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TraineesConfig(AppConfig):
    name = "trainees"
    verbose_name = _("Trainees")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from trainees import signals  # noqa: F401 (connects the receivers)
        from trainees.services import managers_group_sync

        # Permissions of apps migrated after ours exist only once migrate has finished.
        post_migrate.connect(
            lambda **kwargs: managers_group_sync(), dispatch_uid="managers_group_sync", weak=False
        )
