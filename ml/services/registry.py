import logging
import os
import socket
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from flower_power import metrics
from flower_power.errors import ApplicationError, Conflict, NotFound, ServiceUnavailable
from ml.models import ModelVersion
from ml.trainer import validate_hyperparameters

logger = logging.getLogger(__name__)

DEFAULT_HYPERPARAMETERS = validate_hyperparameters()


def hyperparameters_resolve(overrides: dict | None) -> dict:
    """Merge overrides into the defaults and check their bounds (400 naming the bad one)."""
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(DEFAULT_HYPERPARAMETERS))
    if unknown:
        raise ApplicationError(
            _("Unknown hyper-parameters: %(names)s.") % {"names": ", ".join(unknown)},
            fields={name: [_("Unknown hyper-parameter.")] for name in unknown},
        )
    try:
        return validate_hyperparameters(**{**DEFAULT_HYPERPARAMETERS, **overrides})
    except ValueError as exc:
        raise ApplicationError(str(exc), code="invalid_hyperparameters") from None


def _training_publish(version_id: int) -> None:
    from kombu.exceptions import OperationalError

    from ml.tasks import model_version_train_task

    try:
        model_version_train_task.delay(version_id)
    except OperationalError as exc:
        # The broker is down. A version left queued would block every retrain (one queued or
        # training version at most) until the reaper expires it hours later: fail it now.
        logger.warning("could not queue the training of version id %s: %s", version_id, exc)
        ModelVersion.objects.filter(id=version_id, status=ModelVersion.Status.QUEUED).update(
            status=ModelVersion.Status.FAILED, finished_at=timezone.now(),
            error="The task queue was unavailable; the training was never queued.",
        )
        raise ServiceUnavailable(
            _("The task queue is unavailable, so no training was queued; try again shortly."),
            code="broker_unavailable",
        ) from None


def model_version_request(
    *, trigger: str, triggered_by=None, hyperparameters: dict | None = None, enqueue: bool = True
) -> ModelVersion:
    """Queue a new training; refused (409) while another is queued or training."""
    params = hyperparameters_resolve(hyperparameters)
    try:
        with transaction.atomic():
            number = (ModelVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
            version = ModelVersion.objects.create(
                number=number, trigger=trigger, triggered_by=triggered_by,
                hyperparameters=params, status=ModelVersion.Status.QUEUED,
            )
            if enqueue:
                # After commit, so the worker never looks for a row it cannot see yet; a
                # failure to publish then raises out of this block (the row is committed).
                transaction.on_commit(partial(_training_publish, version.id))
    except IntegrityError:
        # The partial unique index: a version is already queued or training (or a
        # concurrent request just took this number).
        busy = ModelVersion.objects.filter(status__in=ModelVersion.IN_PROGRESS).first()
        raise Conflict(
            _("A training is already queued or running (version %(number)s).")
            % {"number": busy.number if busy else "?"},
            code="training_in_progress",
        ) from None
    return version


def model_version_activate(*, number: int, by=None) -> ModelVersion:
    """Make a ready version the one that serves predictions (promote or roll back)."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = ModelVersion.objects.select_for_update().filter(number=number).first()
                if version is None:
                    raise NotFound(_("There is no model version %(n)s.") % {"n": number})
                if version.status != ModelVersion.Status.READY:
                    raise Conflict(
                        _("Only a ready version can be activated; version %(n)s is %(s)s.")
                        % {"n": number, "s": version.get_status_display()},
                        code="not_ready",
                    )
                if version.is_active:
                    return version
                ModelVersion.objects.active().update(is_active=False)
                version.is_active = True
                version.activated_at = timezone.now()
                version.save(update_fields=["is_active", "activated_at"])
                logger.info("model version %s activated by %s", number, by or "the gate")
                return version
        except IntegrityError:
            # A concurrent activation won the race for the one active slot; look again.
            continue
    raise Conflict(_("Another activation is in progress; try again."), code="busy")


def worker_name() -> str:
    """Who claims a training: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_alive(worker: str) -> bool:
    """Whether the process that claimed a training is still running (only knowable locally)."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A pool process killed with its parent stays a zombie until init reaps it, and some
    # inits (a container's, this CI machine's) never do: it has exited all the same.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def model_versions_reap() -> int:
    """Fail trainings whose worker is gone (lease run out, or its process dead on this host),
    and queued ones nobody picked up: they can never finish now, and they block retraining."""
    now = timezone.now()
    lost = "The worker stopped renewing its lease (killed or lost); nothing was changed."
    expired = now - timedelta(seconds=settings.ML_TRAINING_LEASE_SECONDS)
    reaped = ModelVersion.objects.filter(
        status=ModelVersion.Status.TRAINING, heartbeat_at__lt=expired
    ).update(status=ModelVersion.Status.FAILED, finished_at=now, error=lost)
    # At most one training at a time, so this loop is one row at most.
    for version in ModelVersion.objects.filter(status=ModelVersion.Status.TRAINING):
        if not process_alive(version.worker):
            # Compare-and-set on the worker seen dead: a redelivery may have just retaken it.
            reaped += ModelVersion.objects.filter(
                id=version.id, status=ModelVersion.Status.TRAINING, worker=version.worker
            ).update(
                status=ModelVersion.Status.FAILED, finished_at=now,
                error="The worker process died during training; nothing was changed.",
            )
    if reaped:
        logger.warning("reaped %d training(s) whose worker is gone", reaped)
        metrics.training_finished("lost", count=reaped)
    stale_queue = now - timedelta(hours=settings.ML_QUEUED_EXPIRY_HOURS)
    reaped += ModelVersion.objects.filter(
        status=ModelVersion.Status.QUEUED, created_at__lt=stale_queue
    ).update(
        status=ModelVersion.Status.FAILED, finished_at=now,
        error="No worker picked this training up in time.",
    )
    return reaped
