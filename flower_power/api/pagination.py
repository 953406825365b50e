import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

_WHOLE_NUMBER = re.compile(r"[0-9]+")


class BoundedPageNumberPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        # DRF answers a page that is not a number with a 404; it is bad input, not a missing page.
        raw = request.query_params.get(self.page_query_param, 1)
        if raw in self.last_page_strings:
            return raw
        if not _WHOLE_NUMBER.fullmatch(str(raw)) or len(str(raw)) > 9 or int(raw) < 1:
            raise ValidationError({self.page_query_param: [
                _("A page number: a whole number of at least 1.")
            ]})
        return raw

    def get_page_size(self, request):
        # DRF silently falls back to the default for a bad page_size; say what is wrong instead.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        digits = raw.lstrip("0")
        if not _WHOLE_NUMBER.fullmatch(raw) or not digits:
            raise ValidationError({self.page_size_query_param: [
                _("A whole number of at least 1 (at most %(max)d are returned).")
                % {"max": self.max_page_size}
            ]})
        # Any larger number means "as many as allowed" (and int() refuses very long digits).
        return self.max_page_size if len(digits) > 9 else min(int(digits), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_size_query_param, self.page_query_param):
                parameter["schema"]["minimum"] = 1
        return parameters
