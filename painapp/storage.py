"""Static files as production serves them: whitenoise's manifest storage, with each
file's URL worked out once per process."""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed files named by the manifest (whitenoise), their URLs kept.

    A static file's URL depends only on the manifest, read when the storage is made
    (collectstatic runs at deploy, before the workers start: a new manifest means a
    restart), and on DEBUG. Django works it out again for every {% static %} (the name
    split and cleaned, looked up, joined to STATIC_URL): ~7 µs a tag, and base.html
    alone has five on every page (their render 49 -> 22 µs). Unknown names still raise
    (the manifest is strict), so only files that exist are kept; the bound is there all
    the same.
    """

    _KEPT_MAX = 1024  # more than the app's static files

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool, bool], str] = {}

    def url(self, name: str, force: bool = False) -> str:
        key = (name, force, settings.DEBUG)
        url = self._urls.get(key)
        if url is None:
            url = super().url(name, force)
            if len(self._urls) < self._KEPT_MAX:
                self._urls[key] = url
        return url

    def post_process(self, *args, **kwargs):
        # collectstatic in this process: the manifest it writes is the one to use.
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
