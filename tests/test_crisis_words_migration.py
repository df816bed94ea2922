"""tracking 0023 (a practice's crisis words only add to the built-in lists), forward
and back with Django's migration executor on the real database: rolled back, a
practice's own words get the old English defaults in front again, since the code
before it checked a list that was not empty instead of the defaults."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_practice
from tracking.models import PracticeSettings

BEFORE = ("tracking", "0022_checkin_kind_interim")
AFTER = ("tracking", "0023_crisis_words_only_add")
OLD_DEFAULT = list(
    importlib.import_module("tracking.migrations.0023_crisis_words_only_add")._OLD_ENGLISH_DEFAULT
)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def _words(apps, practice):
    return (
        apps.get_model("tracking", "PracticeSettings")
        .objects.get(practice_id=practice.pk)
        .crisis_words
    )


@pytest.mark.django_db(transaction=True)
def test_rolled_back_own_words_get_the_old_defaults_in_front_and_forward_takes_them_out():
    own, empty, mixed = (make_practice(name) for name in ("Own", "Empty", "Mixed"))
    lists = ((own, ["give away all my things"]), (empty, []), (mixed, ["overdose", "pills"]))
    for practice, words in lists:
        PracticeSettings.for_practice(practice.pk)
        PracticeSettings.objects.filter(practice=practice).update(crisis_words=words)
    try:
        old = _migrate(BEFORE)
        # The old code checks only a list that is not empty: nothing is checked less.
        assert _words(old, own) == [*OLD_DEFAULT, "give away all my things"]
        assert _words(old, mixed) == [*OLD_DEFAULT, "pills"]  # "overdose" once
        assert _words(old, empty) == []  # the old code checked the defaults for it
        new = _migrate(AFTER)
        assert _words(new, own) == ["give away all my things"]
        assert _words(new, mixed) == ["pills"]
        assert _words(new, empty) == []
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
