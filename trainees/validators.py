"""Password validators beyond Django's own."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class UsernameDerivedPasswordValidator:
    """Refuse a password that is the username dressed up: repeated, reversed, in another case,
    with a few extra characters ("load7load7load7", "Load7Load7Load7", "7daol7daol7daol").

    Django's UserAttributeSimilarityValidator compares the whole password with the username,
    so a repetition long enough to pass the length rule also looks dissimilar to it. Here every
    occurrence of the username (and of it reversed) is taken out, ignoring case, and at least
    `min_remaining` letters or digits must be left. Names shorter than `min_name_length` are
    not looked for: "al" would take letters out of ordinary words.
    """

    def __init__(self, min_remaining: int = 6, min_name_length: int = 3,
                 attributes: tuple[str, ...] = ("username", "display_name")) -> None:
        self.min_remaining = min_remaining
        self.min_name_length = min_name_length
        self.attributes = attributes

    @staticmethod
    def _letters(text: str) -> str:
        return re.sub(r"[\W_]+", "", text.casefold())

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        remaining = self._letters(password)
        found = False
        for attribute in self.attributes:
            name = self._letters(str(getattr(user, attribute, "") or ""))
            if len(name) < self.min_name_length:
                continue
            for variant in (name, name[::-1]):
                if variant in remaining:
                    found = True
                    remaining = remaining.replace(variant, "")
        if found and len(remaining) < self.min_remaining:
            raise ValidationError(
                _("This password is built from your username or name; choose one that is not."),
                code="password_from_username",
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password cannot be your username or name repeated, reversed or in another "
            "case, unless at least %(n)d other letter or digit is added.",
            "Your password cannot be your username or name repeated, reversed or in another "
            "case, unless at least %(n)d other letters or digits are added.",
            self.min_remaining,
        ) % {"n": self.min_remaining}
