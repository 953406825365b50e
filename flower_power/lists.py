"""Lists in running text, as the current language writes them."""

from collections.abc import Iterable

from django.utils.translation import pgettext


def join_words(items: Iterable) -> str:
    """setosa, versicolor — or 山鸢尾、变色鸢尾: items of a list of words or names."""
    return pgettext("separator between the items of a list of names", ", ").join(
        str(item) for item in items
    )


def join_clauses(items: Iterable) -> str:
    """Sentences or clauses one after the other: "a; b", or what the language uses."""
    return pgettext("separator between clauses in a list", "; ").join(str(item) for item in items)
