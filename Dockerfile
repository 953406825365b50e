# syntax=docker/dockerfile:1
# Flower Power: one image for every role (web, worker, beat, migrate); docker-compose.yml
# chooses the command.

# --- Front-end packages from the npm registry (d3), installed from the lockfile; npm's
# "prepare" script bundles the d3 modules the page uses.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
COPY frontend ./frontend
RUN npm ci --omit=dev --no-audit --no-fund

# --- Runtime
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2
# A CJK font, so the server-drawn plots can label in Simplified Chinese; nginx, the buffering
# front of the web command (flower_power/serve.py: slow clients never hold a Python thread).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei nginx-light \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system app && useradd --system --gid app --home-dir /app app
WORKDIR /app
# Dependencies first, so code changes do not reinstall them (pinned in pyproject.toml).
COPY pyproject.toml ./
RUN pip install . && rm -rf build ./*.egg-info
COPY . .
COPY --from=frontend /app/node_modules/.build/d3 node_modules/.build/d3
# Static files are collected at build time and served by whitenoise. var/prometheus exists
# owned by app, so the metrics volume mounted there (docker-compose.yml) is writable.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost \
    VAR_DIR=/tmp/build-var python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var && mkdir -p /app/var/prometheus && chown -R app:app /app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["python", "-m", "flower_power.serve"]
