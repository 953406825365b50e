from celery import shared_task

from challenges.services import challenge_sessions_abandon


@shared_task
def challenge_sessions_abandon_task() -> None:
    challenge_sessions_abandon()
