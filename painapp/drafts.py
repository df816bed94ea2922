"""Drafts a patient's long answers keep in the browser (static/js/drafts.js).

A form with `data-draft="<name>"` keeps every field the patient fills in (never a
password or hidden field) in the tab's
sessionStorage, and the script sends the name along as `draft_form`. When a plain
(non-htmx) form was saved, this middleware says so with a short cookie holding only that
name, and the next page lets the draft go. A form sent back with its mistakes (400), or
a sign-in page (the person was signed out: nothing was saved), keeps it. An htmx form
needs no cookie: the script sees its answer itself.
"""

from __future__ import annotations

import re

from django.conf import settings

DRAFT_FIELD = "draft_form"
SAVED_COOKIE = "painapp_draft_saved"
_NAME = re.compile(r"[a-z0-9_-]{1,64}")


class DraftSavedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and not request.headers.get("HX-Request")
            and response.status_code < 400
            and request.user.is_authenticated  # else it was a redirect to log in
        ):
            name = request.POST.get(DRAFT_FIELD, "")
            if _NAME.fullmatch(name):
                response.set_cookie(
                    SAVED_COOKIE,
                    name,
                    max_age=300,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        return response
