from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "flower_power.metrics"
    label = "metrics"
    verbose_name = "Metrics"
