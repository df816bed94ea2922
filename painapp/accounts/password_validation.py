"""Our wording of Django's password checks, where Django's does not read well."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's check, with a sentence that reads well in every language we speak.

    Django's own ("The password is too similar to the email address.") comes out in
    Spanish as "demasiado similar a la de dirección de correo electrónico"; ours says
    "your", which both languages can say plainly.
    """

    def get_error_message(self) -> str:
        return _("The password is too much like your %(verbose_name)s. Please choose another.")
