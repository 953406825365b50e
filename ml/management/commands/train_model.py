from django.core.management.base import BaseCommand, CommandError

from flower_power.errors import ApplicationError
from ml.models import ModelVersion
from ml.selectors import model_version_active
from ml.services import model_version_request, model_version_train


class Command(BaseCommand):
    help = "Train a model version now, in this process (bootstrap and operations)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-none-active", action="store_true",
            help="do nothing when a version is already active",
        )
        parser.add_argument(
            "--if-levels-missing", action="store_true",
            help="do nothing when the active version has its AI levels; train when none is "
            "active or the active one was trained before levels existed",
        )
        parser.add_argument("--epochs", type=int)
        parser.add_argument("--seed", type=int)
        parser.add_argument("--learning-rate", type=float)
        parser.add_argument("--batch-size", type=int)

    def handle(self, *args, if_none_active=False, if_levels_missing=False, **options):
        active = model_version_active()
        if if_none_active and active is not None:
            self.stdout.write(f"  model v{active.number} is already active")
            return
        levels_missing = active is not None and not active.opponents.exists()
        if if_levels_missing and active is not None and not levels_missing:
            self.stdout.write(f"  model v{active.number} is already active, with its AI levels")
            return
        if if_levels_missing and levels_missing:
            self.stdout.write(
                f"  model v{active.number} predates the AI levels: training a new version"
            )
        overrides = {
            key: options[key]
            for key in ("epochs", "seed", "learning_rate", "batch_size")
            if options.get(key) is not None
        }
        bootstrap = active is None or (if_levels_missing and levels_missing)
        trigger = ModelVersion.Trigger.BOOTSTRAP if bootstrap else ModelVersion.Trigger.MANAGER
        try:
            version = model_version_request(
                trigger=trigger, hyperparameters=overrides, enqueue=False
            )
        except ApplicationError as exc:
            if if_levels_missing and exc.code == "training_in_progress":
                # The training under way stores the levels too.
                self.stdout.write(f"  {exc.message}")
                return
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
        levels = version.opponents.only("level", "accuracy")
        if levels:
            self.stdout.write("  AI levels: " + ", ".join(
                f"{level.level} {level.accuracy:.3f}" for level in levels
            ))
        if version.status == ModelVersion.Status.FAILED:
            raise CommandError(version.error)
