from django.core.management.base import BaseCommand, CommandError

from flower_power.errors import ApplicationError
from ml.models import ModelVersion
from ml.services import model_version_request, model_version_train


class Command(BaseCommand):
    help = "Train a model version now, in this process (bootstrap and operations)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-none-active", action="store_true",
            help="do nothing when a version is already active",
        )
        parser.add_argument("--epochs", type=int)
        parser.add_argument("--seed", type=int)
        parser.add_argument("--learning-rate", type=float)
        parser.add_argument("--batch-size", type=int)

    def handle(self, *args, if_none_active=False, **options):
        active = ModelVersion.objects.filter(is_active=True).first()
        if if_none_active and active is not None:
            self.stdout.write(f"  model v{active.number} is already active")
            return
        overrides = {
            key: options[key]
            for key in ("epochs", "seed", "learning_rate", "batch_size")
            if options.get(key) is not None
        }
        trigger = ModelVersion.Trigger.BOOTSTRAP if active is None else ModelVersion.Trigger.MANAGER
        try:
            version = model_version_request(
                trigger=trigger, hyperparameters=overrides, enqueue=False
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"  training v{version.number} (TensorFlow loads in a few seconds)...")
        version = model_version_train(version_id=version.id)
        if version is None:
            raise CommandError("Another process took this training.")
        accuracy = version.accuracy
        self.stdout.write(
            f"  v{version.number}: {version.status}"
            + (f", test accuracy {accuracy:.3f}" if accuracy is not None else "")
            + (f", {version.duration_seconds:.1f} s" if version.duration_seconds else "")
            + (", active" if version.is_active else "")
            + (f" ({version.error})" if version.error else "")
        )
        if version.status == ModelVersion.Status.FAILED:
            raise CommandError(version.error)
