"""Races: a function called from several threads at once."""

import threading


def in_threads(target, *arguments, times: int = 0) -> None:
    """Call target once per argument (or `times` times with none), each call in a thread of
    its own, all started before any is awaited; return when every thread has finished."""
    calls = [(argument,) for argument in arguments] or [()] * times
    threads = [threading.Thread(target=target, args=args) for args in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
