from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from trainees.models import User

# Fields only a superuser may change: a manager must not be able to hand out privileges.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


@admin.register(User)
class TraineeAdmin(UserAdmin):
    list_display = (
        "username", "display_name", "store", "is_active", "is_staff", "last_login", "date_joined",
    )
    list_filter = ("is_active", "is_staff", "store", "groups")
    search_fields = ("username", "display_name", "first_name", "last_name", "email", "store")
    actions = ("deactivate", "activate")
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
        # A manager may not edit a superuser (reset their password, deactivate them...).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description=_("Deactivate selected accounts"), permissions=["change"])
    def deactivate(self, request, queryset):
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        # Never lock yourself out by accident.
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(
            request,
            ngettext("%d account deactivated.", "%d accounts deactivated.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Activate selected accounts"), permissions=["change"])
    def activate(self, request, queryset):
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        count = queryset.update(is_active=True)
        self.message_user(
            request,
            ngettext("%d account activated.", "%d accounts activated.", count) % count,
            messages.SUCCESS,
        )
