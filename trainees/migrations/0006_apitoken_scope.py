"""Give API tokens a scope, and make the Prometheus tokens that already exist metrics-only.

Those are the tokens `manage.py metrics_token` issued: named "prometheus", of an account that
holds `metrics.view_metrics` itself (not through a group). Every other token stays "api", as
it was. Backwards, the column goes and every token is an API token again, as before.
"""

from django.db import migrations, models

# As flower_power/metrics/management/commands/metrics_token.py names and grants them.
METRICS_TOKEN_NAME = "prometheus"


def metrics_tokens_scope(apps, schema_editor):
    ApiToken = apps.get_model("trainees", "ApiToken")
    ApiToken.objects.filter(
        name=METRICS_TOKEN_NAME,
        user__user_permissions__content_type__app_label="metrics",
        user__user_permissions__codename="view_metrics",
    ).update(scope="metrics")


class Migration(migrations.Migration):

    dependencies = [
        ('trainees', '0005_hash_drf_tokens'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='scope',
            field=models.CharField(choices=[('api', 'API'), ('metrics', 'metrics scrape only')], db_default='api', default='api', help_text='API: the ordinary API. Metrics: only GET /metrics.', max_length=16, verbose_name='scope'),
        ),
        # Backwards there is nothing to undo: removing the column makes every token "api".
        migrations.RunPython(metrics_tokens_scope, migrations.RunPython.noop),
    ]
