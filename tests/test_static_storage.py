"""Production's static files storage (painapp.storage): the URLs it keeps are the ones
whitenoise's storage gives, for the manifest it was made with."""

from __future__ import annotations

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from painapp.storage import StaticFilesStorage

MANIFEST = {
    "version": "1.1",
    "hash": "0123456789ab",
    "paths": {
        "css/base.css": "css/base.d7cc4e03b5cc.css",
        "vendor/htmx-2.0.11.min.js": "vendor/htmx-2.0.11.min.3d6553be6735.js",
        "img/a b.svg": "img/a b.5e1f0c2d9a4b.svg",
    },
}
NAMES = [*MANIFEST["paths"], "css/base.css#top", "img/"]


@pytest.fixture
def storages(tmp_path):
    (tmp_path / "staticfiles.json").write_text(json.dumps(MANIFEST))
    return [
        cls(location=tmp_path, base_url="/static/")
        for cls in (StaticFilesStorage, CompressedManifestStaticFilesStorage)
    ]


def test_each_url_is_whitenoises_every_time_it_is_asked_for(storages):
    kept, whitenoise = storages
    for _ in range(2):  # the second time from what was kept
        assert [kept.url(name) for name in NAMES] == [whitenoise.url(name) for name in NAMES]
    assert kept.url("css/base.css") == "/static/css/base.d7cc4e03b5cc.css"


def test_a_file_missing_from_the_manifest_is_still_an_error(storages):
    kept, _ = storages
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            kept.url("css/missing.css")


def test_with_debug_on_the_names_are_not_hashed(storages, settings):
    kept, whitenoise = storages
    assert kept.url("css/base.css") == "/static/css/base.d7cc4e03b5cc.css"
    settings.DEBUG = True
    assert kept.url("css/base.css") == whitenoise.url("css/base.css") == "/static/css/base.css"
