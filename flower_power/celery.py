import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flower_power.settings")

logger = logging.getLogger(__name__)

app = Celery("flower_power")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def reap_trainings_of_dead_workers(**kwargs) -> None:
    """A worker that starts (often: restarted after its predecessor was killed) fails the
    trainings whose worker is gone at once, so a retrain need not wait for beat's reaper."""
    from django.db import connections

    from ml.services import model_versions_reap

    try:
        model_versions_reap()
    except Exception:  # never keep a worker from starting over this
        logger.exception("reaping trainings at worker start failed")
    finally:
        connections.close_all()  # the main process does no other database work
