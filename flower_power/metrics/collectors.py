"""What /metrics serves: the processes' counters (summed from their files) and the gauges read
when Prometheus scrapes: the active model version, the Celery queue's length, input drift."""

import logging
from functools import cache

from django.conf import settings
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from flower_power.metrics import DIRECTORY

logger = logging.getLogger(__name__)

# Kombu's Redis transport keeps a queue as a list named like the queue, plus one list per
# priority step (queue + "\x06\x16" + step) for messages sent with a priority.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


class ActiveModelCollector(Collector):
    """flower_power_model_active_version: one query per scrape; 0 while no version is active."""

    def collect(self):
        from ml.models import ModelVersion

        number = ModelVersion.objects.active().values_list("number", flat=True)
        gauge = GaugeMetricFamily(
            "flower_power_model_active_version",
            "Number of the model version serving predictions (0: none is active).",
        )
        gauge.add_metric([], float(number.first() or 0))
        yield gauge


@cache
def _broker():
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2,
                                socket_connect_timeout=2)


def queue_names() -> list[str]:
    return [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None) or "celery"]


class CeleryQueueCollector(Collector):
    """flower_power_celery_queue_length{queue}: messages waiting (LLEN), only on a Redis broker.
    Unreachable Redis: the gauge is left out and flower_power_celery_queue_up says 0."""

    def collect(self):
        if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://", "unix://")):
            return
        length = GaugeMetricFamily(
            "flower_power_celery_queue_length", "Celery messages waiting in the broker.",
            labels=["queue"],
        )
        up = GaugeMetricFamily(
            "flower_power_celery_queue_up", "1 if the broker answered this scrape, else 0."
        )
        try:
            pipe = _broker().pipeline(transaction=False)
            names = queue_names()
            for name in names:
                pipe.llen(name)
                for step in _PRIORITY_STEPS:
                    pipe.llen(f"{name}{_PRIORITY_SEPARATOR}{step}")
            lengths = pipe.execute()
        except Exception:  # a scrape must answer; the alert on _up says why the gauge is gone
            logger.warning("metrics: the Celery broker did not answer", exc_info=True)
            up.add_metric([], 0.0)
            yield up
            return
        per_queue = 1 + len(_PRIORITY_STEPS)
        for i, name in enumerate(names):
            length.add_metric([name], float(sum(lengths[i * per_queue:(i + 1) * per_queue])))
        up.add_metric([], 1.0)
        yield length
        yield up


class DriftCollector(Collector):
    """Input drift, from the latest drift check (ml.selectors.drift_latest) if there is one:
    flower_power_input_drift_psi{feature} and flower_power_input_drifted (1 or 0)."""

    def collect(self):
        from ml import selectors

        drift_latest = getattr(selectors, "drift_latest", None)
        if drift_latest is None:
            return
        latest = drift_latest()
        if not latest:
            return
        psi = GaugeMetricFamily(
            "flower_power_input_drift_psi",
            "Population stability index of each measurement in recent predictions against the "
            "training data (above ~0.2: the inputs changed).",
            labels=["feature"],
        )
        for feature, value in _feature_psi(latest).items():
            psi.add_metric([feature], float(value))
        drifted = GaugeMetricFamily(
            "flower_power_input_drifted", "1 if the latest drift check found drift, else 0."
        )
        drifted.add_metric([], 1.0 if _get(latest, "state") == "drifted" else 0.0)
        yield psi
        yield drifted


def _get(latest, name: str):
    return latest.get(name) if isinstance(latest, dict) else getattr(latest, name, None)


def _feature_psi(latest) -> dict[str, float]:
    # {feature: {"psi", "ks", "ks_critical", "drifted"}}; empty with too few recent inputs.
    features = _get(latest, "features") or {}
    return {feature: figures["psi"] for feature, figures in features.items()}


@cache
def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry, path=str(DIRECTORY))
    for collector in (ActiveModelCollector(), CeleryQueueCollector(), DriftCollector()):
        registry.register(collector)
    return registry


def exposition() -> bytes:
    """The text Prometheus scrapes (exposition format 0.0.4)."""
    return generate_latest(scrape_registry())
