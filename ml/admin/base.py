"""What the ml app's model admins share."""

from django.contrib import admin
from django.urls import path
from django.utils import formats, timezone


class ModelAdmin(admin.ModelAdmin):
    # The admin's own views: (route, method name, URL name). Each is reversed as
    # admin:<app>_<model>_<URL name>, and comes before the default routes, which catch any path.
    extra_views: tuple[tuple[str, str, str], ...] = ()

    def url_name(self, name: str) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            *(
                path(route, self.admin_site.admin_view(getattr(self, view)),
                     name="{}_{}_{}".format(*info, name))
                for route, view, name in self.extra_views
            ),
            *super().get_urls(),
        ]

    def _when(self, value):
        if value is None:
            return self.get_empty_value_display()
        return formats.localize(timezone.template_localtime(value))
