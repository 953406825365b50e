from django.db import migrations, models


def number_samples(apps, schema_editor):
    FlowerSample = apps.get_model("ml", "FlowerSample")
    seen: dict[str, int] = {}
    for sample in FlowerSample.objects.order_by("id"):
        sample.ordinal = seen.get(sample.species, 0)
        seen[sample.species] = sample.ordinal + 1
        sample.save(update_fields=["ordinal"])


class Migration(migrations.Migration):
    dependencies = [("ml", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="flowersample",
            name="ordinal",
            field=models.PositiveIntegerField(default=0, editable=False),
            preserve_default=False,
        ),
        migrations.RunPython(number_samples, migrations.RunPython.noop),
    ]
