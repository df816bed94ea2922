"""The built-in crisis phrases (English and Spanish) are now always checked, and a
practice's list only adds to them (tracking.rules.crisis_words). A practice's stored
list was seeded with the English built-ins (0015): keep only its own additions, so the
settings page shows what the practice added and nothing is checked twice. Nothing is
checked less: every phrase taken out is a built-in one."""

import re
import unicodedata

import tracking.rules
from django.db import migrations, models

_APOSTROPHES = re.compile("['\u2019\u2018\u02bc\u0060\u00b4\u2032]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# The short forms as they were spelt out when this ran (tracking.rules.CONTRACTIONS).
_SHORT = {"dont": "do not", "didnt": "did not", "cant": "can not", "cannot": "can not",
          "wanna": "want to"}  # fmt: skip


def _normal(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = _NON_WORD.sub(" ", _APOSTROPHES.sub("", text.casefold())).split()
    return " ".join(_SHORT.get(w, w) for w in words)


def keep_own_words_only(apps, schema_editor):
    PracticeSettings = apps.get_model("tracking", "PracticeSettings")
    builtin = {
        _normal(w)
        for w in (*tracking.rules.DEFAULT_CRISIS_WORDS, *tracking.rules.DEFAULT_CRISIS_WORDS_ES)
    }
    for settings in PracticeSettings.objects.all():
        words = [w for w in settings.crisis_words or [] if isinstance(w, str)]
        own = [w for w in words if _normal(w) not in builtin]
        if own != (settings.crisis_words or []):
            settings.crisis_words = own
            settings.save(update_fields=["crisis_words"])


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0022_checkin_kind_interim"),
    ]

    operations = [
        migrations.AlterField(
            model_name="practicesettings",
            name="crisis_words",
            field=models.JSONField(
                blank=True,
                default=tracking.rules.default_crisis_words,
                help_text=(
                    "The practice's own crisis words, checked as well as the built-in English "
                    "and Spanish ones."
                ),
            ),
        ),
        migrations.RunPython(keep_own_words_only, migrations.RunPython.noop),
    ]
