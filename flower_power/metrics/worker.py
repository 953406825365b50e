"""Celery's side of the metrics: task outcomes, from counter files of the worker's own.

flower_power/celery.py calls worker_started() on worker_init (importing this module any
earlier would read the settings while they are still loading)."""

from celery.signals import task_failure, task_retry, task_success

from flower_power import metrics


def worker_started() -> None:
    """In the worker's main process, before it forks its pool: its processes write as
    "celery" (apart from the web server's files, which may share the directory), from zero,
    and count every task's outcome."""
    metrics.prepare_multiprocess_dir(role="celery")
    task_success.connect(count_success)
    task_failure.connect(count_failure)
    task_retry.connect(count_retry)


def count_success(sender=None, **kwargs) -> None:
    metrics.celery_task_done(sender.name, "success")


def count_failure(sender=None, **kwargs) -> None:
    metrics.celery_task_done(sender.name, "failure")


def count_retry(sender=None, **kwargs) -> None:
    metrics.celery_task_done(sender.name, "retry")
