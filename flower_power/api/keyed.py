"""Serializers with one field per code of a fixed list (species, AI levels): the shape of a
JSON object whose keys are known, documented field by field for clients."""

from collections.abc import Callable, Iterable

from rest_framework import serializers


def keyed_serializer(
    name: str, keys: Iterable[str], field: Callable[[], serializers.Field], doc: str = ""
) -> type[serializers.Serializer]:
    """A Serializer class called `name` with a `field()` under each key, in order."""
    # `name` is the schema's component name (minus "Serializer"), `doc` its description.
    return type(name, (serializers.Serializer,), {
        "__doc__": doc or None, "__module__": __name__, **{key: field() for key in keys}
    })
