"""Query filters for lists of rows with a status: `?status=` and `?ordering=`."""

import django_filters
from django.db import models


def status_filterset(
    model: type[models.Model], *, rows: str, order_by: tuple[str, ...], ordering_help: str
) -> type[django_filters.FilterSet]:
    """A FilterSet on the model's `status` (its Status choices) and an `ordering` by one of
    `order_by`; `rows` names the rows in the status filter's help."""

    class StatusFilterSet(django_filters.FilterSet):
        status = django_filters.ChoiceFilter(
            choices=model.Status.choices, help_text=f"Only {rows} in this status."
        )
        ordering = django_filters.OrderingFilter(fields=order_by, help_text=ordering_help)
        Meta = type("Meta", (), {"model": model, "fields": ["status"]})

    return StatusFilterSet
