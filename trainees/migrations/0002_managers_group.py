from django.db import migrations


def create_managers_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    # Permissions are attached after migrate (trainees.services.managers_group_sync), when
    # every app's permissions exist.
    Group.objects.get_or_create(name="Managers")


class Migration(migrations.Migration):
    dependencies = [
        ("trainees", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_managers_group, migrations.RunPython.noop)]
