import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from trainees.services import generate_password, managers_group_sync, user_create

DEMO_ACCOUNTS = (
    # username, display name, store, manager?, password environment variable
    ("manager", "Mina Manager", "Central", True, "DEMO_MANAGER_PASSWORD"),
    ("alice", "Alice", "Central", False, "DEMO_TRAINEE_PASSWORD"),
    ("bob", "Bob", "Harbour", False, "DEMO_TRAINEE_PASSWORD"),
)


class Command(BaseCommand):
    help = "Create the demo manager and trainees; safe to run again (existing ones are kept)."

    def handle(self, *args, **options):
        managers_group_sync()
        User = get_user_model()
        credentials_file = settings.VAR_DIR / "demo-accounts.txt"
        created_lines = []
        for username, display_name, store, manager, env_name in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"  {username}: exists, password unchanged")
                continue
            password = os.environ.get(env_name) or generate_password()
            user_create(
                username=username, password=password, display_name=display_name,
                store=store, manager=manager,
            )
            role = "manager" if manager else "trainee"
            line = f"{username} / {password} ({role})"
            created_lines.append(line)
            self.stdout.write(self.style.SUCCESS(f"  created {line}"))
        if created_lines:
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            with credentials_file.open("a") as handle:
                handle.write("\n".join(created_lines) + "\n")
            credentials_file.chmod(0o600)
        if credentials_file.exists():
            self.stdout.write(f"  demo passwords are kept in {credentials_file}")
