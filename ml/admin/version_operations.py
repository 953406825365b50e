"""The model version admin's operations: start a training, follow it, activate a version."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flower_power.api.errors import error_body
from flower_power.errors import ApplicationError
from ml.models import ModelVersion
from ml.services import model_version_activate, model_version_request


class VersionOperations:
    """For ModelVersionAdmin (ml/admin/versions.py)."""

    extra_views = (
        ("retrain/", "retrain_view", "retrain"),
        ("<path:object_id>/progress/", "progress_view", "progress"),
        ("<path:object_id>/activate/", "activate_view", "activate"),
    )

    def has_operate_permission(self, request):
        """Whether the user may start a training or activate a version."""
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")


    def progress_view(self, request, object_id):
        """A version's status and progress as JSON, polled by the list and the detail page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        version = self.get_object(request, object_id)
        if version is None:
            return JsonResponse(error_body("not_found", _("Not found.")), status=404)
        running = version.status in ModelVersion.IN_PROGRESS
        return JsonResponse({
            "number": version.number,
            "status": version.status,
            "status_display": version.get_status_display(),
            "running": running,
            "progress": version.progress,
            "progress_text": self._progress_text(version),
            "gate": self.gate_decision(version),
            "gate_short": self.gate_short(version),
            "accuracy": self.accuracy_display(version),
            "is_active": version.is_active,
        })

    def retrain_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_operate_permission(request):
            raise PermissionDenied
        try:
            version = model_version_request(
                trigger=ModelVersion.Trigger.MANAGER, triggered_by=request.user
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.log_addition(request, version, _("Requested a training."))
            self.message_user(
                request,
                _("Version %(n)d is queued for training.") % {"n": version.number},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse(self.url_name("changelist"))
        )

    def activate_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_operate_permission(request):
            raise PermissionDenied
        version = self.get_object(request, object_id)
        if version is None:
            raise Http404
        self._activate(request, version.number)
        return HttpResponseRedirect(reverse(
            self.url_name("change"), args=[version.pk]
        ))

    @admin.action(description=gettext_lazy("Activate the selected version"),
                  permissions=["operate"])
    def activate(self, request, queryset):
        numbers = list(queryset.values_list("number", flat=True)[:2])
        if len(numbers) != 1:
            self.message_user(
                request, _("Select exactly one version to activate."), messages.ERROR
            )
            return
        self._activate(request, numbers[0])

    def _activate(self, request, number: int) -> None:
        try:
            version = model_version_activate(number=number, by=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.log_change(request, version, _("Activated."))
            self.message_user(
                request, _("Version %(n)d is now the active model.") % {"n": number},
                messages.SUCCESS,
            )

