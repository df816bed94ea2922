"""Our wording of Django's password checks, where Django's does not read well: the
hints under a new password (get_help_text, in plain words in every language we
speak) and the similarity check's message."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's check, with a sentence that reads well in every language we speak.

    Django's own ("The password is too similar to the email address.") comes out in
    Spanish as "demasiado similar a la de dirección de correo electrónico"; ours says
    "your", which both languages can say plainly.
    """

    def get_error_message(self) -> str:
        return _("The password is too much like your %(verbose_name)s. Please choose another.")

    def get_help_text(self) -> str:
        return _("It should not look like your name or email address.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_help_text(self) -> str:
        return ngettext(
            "Use at least %(min_length)d character.",
            "Use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_help_text(self) -> str:
        return _("Do not use a password that many people use.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_help_text(self) -> str:
        return _("Do not use only numbers.")
