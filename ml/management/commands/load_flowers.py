from django.core.management.base import BaseCommand

from ml.models import FlowerSample
from ml.services import flowers_load_shipped


class Command(BaseCommand):
    help = "Load Fisher's iris data (ml/data/iris.csv) as flower samples; safe to run again."

    def handle(self, *args, **options):
        added = flowers_load_shipped()
        total = FlowerSample.objects.count()
        self.stdout.write(f"  {added} samples added; {total} in the database")
