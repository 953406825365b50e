import factory
from django.contrib.auth import get_user_model

from trainees.services import managers_group_sync

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"trainee{n}")
    display_name = factory.Faker("first_name")
    store = "Central"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ManagerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"manager{n}")
    is_staff = True

    @factory.post_generation
    def managers_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(managers_group_sync())


def _stored(source, field: str, default=None):
    """A field as a training stores it, from a TrainingResult (its `*_bytes`) or a version."""
    if source is None:
        return default
    return getattr(source, f"{field}_bytes", None) or getattr(source, field, default)


class ModelVersionFactory(factory.django.DjangoModelFactory):
    """A ready model version (inactive unless is_active=True), without a model unless
    `artifacts` (a TrainingResult, or another version to copy) gives it one; `levels`
    ({level: TrainingResult}) stores its weaker opponents too."""

    class Meta:
        model = "ml.ModelVersion"
        skip_postgeneration_save = True

    class Params:
        artifacts = None

    number = factory.Sequence(lambda n: n + 1)
    status = "ready"
    trigger = "manager"
    progress = 1.0
    train_count = 120
    test_count = 30
    hyperparameters = factory.LazyAttribute(lambda o: _stored(o.artifacts, "hyperparameters", {}))
    metrics = factory.LazyAttribute(lambda o: _stored(o.artifacts, "metrics", {}))
    history = factory.LazyAttribute(lambda o: _stored(o.artifacts, "history", {}))
    tflite = factory.LazyAttribute(lambda o: _stored(o.artifacts, "tflite"))
    keras = factory.LazyAttribute(lambda o: _stored(o.artifacts, "keras"))

    @factory.post_generation
    def levels(obj, create, extracted, **kwargs):
        for level, trained in (extracted or {}).items():
            obj.opponents.create(
                level=level, features=list(trained.features), tflite=trained.tflite_bytes,
                accuracy=trained.metrics["accuracy"], metrics=trained.metrics,
            )
