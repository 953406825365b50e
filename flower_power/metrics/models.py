from django.db import models
from django.utils.translation import gettext_lazy as _


class MetricsAccess(models.Model):
    """No table: the holder of the permission to scrape /metrics (`metrics.view_metrics`),
    which `manage.py metrics_token` gives Prometheus's service account and nothing else."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_metrics", _("Can scrape the Prometheus metrics (/metrics)"))]
        verbose_name = _("metrics access")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
