"""The built-in crisis phrases (English and Spanish) are now always checked, and a
practice's list only adds to them (tracking.rules.crisis_words). A practice's stored
list was seeded with the English built-ins (0015): keep only its own additions, so the
settings page shows what the practice added and nothing is checked twice. Nothing is
checked less: every phrase taken out is a built-in one. Rolled back, the old English
defaults go back in front of every list that is not empty (put_old_defaults_back)."""

import re
import unicodedata

import tracking.rules
from django.db import migrations, models

_APOSTROPHES = re.compile("['\u2019\u2018\u02bc\u0060\u00b4\u2032]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# The short forms as they were spelt out when this ran (tracking.rules.CONTRACTIONS).
_SHORT = {"dont": "do not", "didnt": "did not", "cant": "can not", "cannot": "can not",
          "wanna": "want to"}  # fmt: skip

# The English default list as it was before this migration (0015 seeded it; a practice
# list that was not empty replaced it then): the reverse puts it back.
_OLD_ENGLISH_DEFAULT = (
    "want to die", "wanna die", "wish i was dead", "wish i were dead", "better off dead",
    "better off without me", "dont want to be here", "dont want to be alive", "dont want to live",
    "dont want to wake up", "dont want to exist", "rather be dead", "rather die",
    "rather not be alive", "rather not exist", "want to be dead", "wish i could die",
    "wish i could just die", "wish i would die", "wish i didnt exist", "wish i was never born",
    "wish i had never been born", "want to stop existing", "want to disappear", "wanna disappear",
    "wish i could disappear", "disappear forever", "sleep and never wake up",
    "sleep and not wake up", "asleep and never wake up", "asleep and not wake up",
    "hope i never wake up", "wish i would never wake up", "want to sleep forever",
    "wish i could sleep forever", "no reason to live", "nothing to live for", "cant go on",
    "not worth living", "life is not worth", "end my life", "end it all", "ending it all",
    "ending it", "want to end it", "take my own life", "take my life", "kill myself",
    "killing myself", "kill my self", "killing my self", "suicide", "suicidal", "hurt myself",
    "hurting myself", "harm myself", "harming myself", "self harm", "cut myself",
    "cutting myself", "overdose", "hang myself", "unalive",
)  # fmt: skip


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


def put_old_defaults_back(apps, schema_editor):
    """Back to the code before this migration, where a practice's list that is not empty
    is all that is checked: put the old English defaults in front of every such list, so
    a practice with words of its own (["overdose"]) is not checked for those alone. An
    empty list stays empty (the code before it checked the defaults for it)."""
    PracticeSettings = apps.get_model("tracking", "PracticeSettings")
    old = {_normal(w) for w in _OLD_ENGLISH_DEFAULT}
    for settings in PracticeSettings.objects.all():
        words = list(settings.crisis_words or [])
        if words:
            own = [w for w in words if not (isinstance(w, str) and _normal(w) in old)]
            settings.crisis_words = [*_OLD_ENGLISH_DEFAULT, *own]
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
        migrations.RunPython(keep_own_words_only, put_old_defaults_back),
    ]
