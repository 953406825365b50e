"""gunicorn settings, read from the environment: the server before `python -m
flower_power.serve` (nginx + granian, README "Serving"), still started by bench_http.py,
bench_scoreboard.py and the load test as their baseline.

Run `gunicorn -c flower_power/gunicorn.conf.py flower_power.wsgi`. The defaults were chosen
with `bench/bench_http.py --sweep` (see bench/README.md): on 2 cores, cpu_count + 1 gthread
workers of 4 threads served predictions and the ping view faster, and with less CPU per
request, than 2 * cpu_count + 1 sync workers, mainly because gthread keeps connections alive
(sync closes each one after a response) and a worker's threads overlap its short waits on
PostgreSQL and Redis.
"""

import multiprocessing
import os

from flower_power.env import env_bool, env_int

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = env_int("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1, minimum=1)
# GUNICORN_THREADS=1 means plain sync workers (no keep-alive), e.g. behind a buffering proxy.
threads = env_int("GUNICORN_THREADS", 4, minimum=1)
worker_class = "gthread" if threads > 1 else "sync"

timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 20, minimum=1)
# Seconds an idle keep-alive connection stays open (gthread). Behind a load balancer, set it
# above the balancer's idle timeout, so gunicorn never closes a connection it is reusing.
keepalive = env_int("GUNICORN_KEEPALIVE", 5, minimum=0)
# Recycle workers now and then so a slow leak cannot grow forever; jitter keeps them
# from all restarting at once.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 20_000, minimum=0)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 2_000, minimum=0)

accesslog = "-" if env_bool("GUNICORN_ACCESS_LOG", False) else None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# X-Forwarded-Proto (and the like) is believed only from TRUSTED_PROXIES, the same list the
# app reads (settings.py): default none, not gunicorn's own default of 127.0.0.1, since on a
# shared host anything local could claim to be the TLS proxy.
forwarded_allow_ips = ",".join(
    entry.strip() for entry in os.environ.get("TRUSTED_PROXIES", "").split(",") if entry.strip()
)

# The web side imports no TensorFlow, so preloading would save little; and a model must
# never be loaded in the master: each worker loads its LiteRT interpreter lazily on its
# first prediction (ml/serving.py), never shared across a fork.
preload_app = False
