"""Celery beat's schedule (settings.py: CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab


def beat_schedule(*, nightly_retrain_hour: int, reap_seconds: int, drift_check_minutes: float):
    return {
        "nightly-retrain": {
            "task": "ml.tasks.model_nightly_retrain_task",
            "schedule": crontab(hour=nightly_retrain_hour, minute=0),
        },
        # Often, so a training whose worker died is failed within about a lease
        # (ML_TRAINING_LEASE_SECONDS).
        "reap-stale-trainings": {
            "task": "ml.tasks.model_versions_reap_task", "schedule": reap_seconds,
        },
        "abandon-stale-challenges": {
            "task": "challenges.tasks.challenge_sessions_abandon_task", "schedule": 300.0,
        },
        "input-drift-check": {
            "task": "ml.tasks.input_drift_check_task", "schedule": drift_check_minutes * 60,
        },
    }
