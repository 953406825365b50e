from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from trainees.models import ApiToken, User
from trainees.services import token_revoke_all, users_set_active

# Fields only a superuser may change: a manager must not be able to hand out privileges.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


def manageable_by(actor, account) -> bool:
    """Whether actor may change account: superusers anyone, managers trainees only."""
    return actor.is_superuser or not (account.is_staff or account.is_superuser)


@admin.register(User)
class TraineeAdmin(UserAdmin):
    list_display = (
        "username", "display_name", "store", "is_active", "is_staff", "last_login", "date_joined",
    )
    list_filter = ("is_active", "is_staff", "store", "groups")
    search_fields = ("username", "display_name", "first_name", "last_name", "email", "store")
    actions = ("deactivate", "activate", "revoke_api_tokens")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Profile"),
            {"fields": ("display_name", "store", "first_name", "last_name", "email")},
        ),
        (_("Access"), {"fields": ("is_active", *PRIVILEGE_FIELDS)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "store", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not request.user.is_superuser:
            fields = (*fields, *PRIVILEGE_FIELDS)
        return fields

    def has_change_permission(self, request, obj=None):
        # A manager manages trainees only: another manager's or a superuser's account (their
        # password, flags, groups, active state) is read-only to them, or one manager could
        # take over another. Also guards UserAdmin's password view, which asks this.
        if obj is not None and not manageable_by(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def _change_manageable(self, request, queryset, change, done) -> None:
        """Apply change to the selected accounts this user may change, and say so: `done` is
        an ngettext_lazy given change's count. Staff accounts left out get a warning."""
        if request.user.is_superuser:
            allowed, skipped = queryset, 0
        else:
            allowed = queryset.filter(is_staff=False, is_superuser=False)
            skipped = queryset.count() - allowed.count()
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d staff account left unchanged: only a superuser can change it.",
                    "%d staff accounts left unchanged: only a superuser can change them.",
                    skipped,
                ) % skipped,
                messages.WARNING,
            )
        self.message_user(request, done % change(allowed), messages.SUCCESS)

    @admin.action(description=_("Deactivate selected accounts"), permissions=["change"])
    def deactivate(self, request, queryset):
        self._change_manageable(
            request, queryset,
            # Never lock yourself out by accident.
            lambda users: users_set_active(users=users.exclude(pk=request.user.pk), active=False),
            ngettext_lazy("%d account deactivated.", "%d accounts deactivated."),
        )

    @admin.action(description=_("Activate selected accounts"), permissions=["change"])
    def activate(self, request, queryset):
        self._change_manageable(
            request, queryset, lambda users: users_set_active(users=users, active=True),
            ngettext_lazy("%d account activated.", "%d accounts activated."),
        )

    @admin.action(description=_("Revoke API tokens"), permissions=["change"])
    def revoke_api_tokens(self, request, queryset):
        self._change_manageable(
            request, queryset,
            lambda users: sum(token_revoke_all(user=user) for user in users),
            ngettext_lazy("%d API token revoked.", "%d API tokens revoked."),
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who has which client tokens, and revoking them. Never the digest: it is a credential's
    hash, of no use to a manager."""

    list_display = ("name", "user", "scope", "created", "expiry")
    list_filter = ("scope", "created", "expiry")
    search_fields = ("name", "user__username", "user__display_name")
    fields = ("name", "user", "scope", "created", "expiry")
    readonly_fields = fields
    list_select_related = ("user",)

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        if request.user.is_superuser:
            return tokens
        # A manager sees trainees' tokens only (as with their accounts).
        return tokens.filter(user__is_staff=False, user__is_superuser=False)

    def has_add_permission(self, request) -> bool:
        return False  # issued through the API only, to the client that shows it once

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not manageable_by(request.user, obj.user):
            return False
        return super().has_delete_permission(request, obj)
