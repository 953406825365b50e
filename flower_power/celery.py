import logging
import os

from celery import Celery
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_init,
    worker_ready,
)

from flower_power.request_id import (
    current_request_id,
    request_id_accept,
    request_id_bind,
    request_id_unbind,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flower_power.settings")

logger = logging.getLogger(__name__)

app = Celery("flower_power")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The message header that carries the id of the request that started a task.
REQUEST_ID_HEADER = "request_id"
# task id -> the contextvar token to restore when the task ends (a task run eagerly inside a
# request must give the request its id back).
_bound: dict[str, object] = {}


@setup_logging.connect
def use_the_django_logging(**kwargs) -> None:
    """Workers and beat log through settings.LOGGING, as web processes do (JSON lines with the
    request id, task name and id), instead of Celery's own handlers and formats."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@before_task_publish.connect
def carry_the_request_id(headers=None, **kwargs) -> None:
    request_id = current_request_id()
    if request_id is not None and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def bind_the_request_id(task_id=None, task=None, **kwargs) -> None:
    # A worker puts message headers on the request itself; apply(headers=...) under .headers.
    sent = getattr(task.request, REQUEST_ID_HEADER, None) or (task.request.headers or {}).get(
        REQUEST_ID_HEADER
    )
    request_id = request_id_accept(sent) if sent else current_request_id()
    _bound[task_id] = request_id_bind(request_id)


@task_postrun.connect
def unbind_the_request_id(task_id=None, **kwargs) -> None:
    token = _bound.pop(task_id, None)
    if token is not None:
        request_id_unbind(token)


@worker_init.connect
def count_for_prometheus(**kwargs) -> None:
    """Task outcomes on /metrics, written by this worker's processes (flower_power/metrics)."""
    from flower_power.metrics.worker import worker_started

    worker_started()


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
