"""Carry DRF's plaintext tokens (rest_framework.authtoken) over as hashed ApiTokens, then drop
their table: no plaintext key stays in the database.

Knox finds a token by its first 15 characters and checks the SHA-512 of the whole string, so
an old 40-character key keeps working unchanged. It gets the usual expiry, counted from now.
A fresh database never had the table: nothing to do.
"""

import datetime

from django.conf import settings
from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

OLD_TABLE = "authtoken_token"
# Stored, not translated (like trainees.models.DEFAULT_TOKEN_NAME).
OLD_TOKEN_NAME = "API client (before hashed tokens)"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("trainees", "ApiToken")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # The table has no model any more (the app is uninstalled): read it directly.
        cursor.execute(
            f"SELECT {quote('key')}, {quote('user_id')}, {quote('created')} "  # noqa: S608
            f"FROM {quote(OLD_TABLE)}"
        )
        rows = cursor.fetchall()
    expiry = timezone.now() + settings.API_TOKEN_TTL
    for key, user_id, created in rows:
        if isinstance(created, str):  # SQLite without a converter for the column's type
            created = datetime.datetime.fromisoformat(created)
        if timezone.is_naive(created):
            created = timezone.make_aware(created, datetime.UTC)
        token = ApiToken.objects.create(
            digest=hash_token(key), token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
            user_id=user_id, expiry=expiry, name=OLD_TOKEN_NAME,
        )
        # `created` is auto_now_add: keep the original date with an update.
        ApiToken.objects.filter(id=token.id).update(created=created)
    schema_editor.execute(f"DROP TABLE {quote(OLD_TABLE)}")
    MigrationRecorder(connection).migration_qs.filter(app="authtoken").delete()
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("trainees", "0004_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Backwards there is nothing to restore: the plaintext keys are gone on purpose.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
