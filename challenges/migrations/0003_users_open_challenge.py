from django.db import migrations


def mark_open_challenges(apps, schema_editor):
    """Every trainee's open session onto their user row, as challenges.services keeps it."""
    session = apps.get_model("challenges", "ChallengeSession")
    user = apps.get_model("trainees", "User")
    for session_id, user_id in session.objects.filter(status="active").values_list(
        "id", "user_id"
    ):
        user.objects.filter(id=user_id).update(open_challenge_id=session_id)


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0002_levels_flags_one_active"),
        ("trainees", "0003_user_open_challenge"),
    ]

    operations = [migrations.RunPython(mark_open_challenges, migrations.RunPython.noop)]
