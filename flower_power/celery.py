import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flower_power.settings")

app = Celery("flower_power")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
