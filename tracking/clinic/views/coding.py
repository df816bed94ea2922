"""The clinician's coding queue: code the patients' three causes blind.

What is shown and why lives in tracking.clinic.coding. The page is one plain form
(a select per cause, one Save button), so it works by keyboard and without
JavaScript; causes left at "Not coded yet" stay in the queue.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods

from painapp.accounts.access import staff_required
from painapp.accounts.audit import audit
from painapp.types import MemberRequest
from tracking.access import enrollment_scope
from tracking.clinic import coding
from tracking.clinic.forms import QueueCodingForm

_CAUSE_FIELD = re.compile(r"^cause_(\d{1,12})$")


def _posted_codes(request: MemberRequest) -> dict[int, str]:
    return {
        int(match.group(1)): request.POST.get(key, "").strip()
        for key in request.POST
        if (match := _CAUSE_FIELD.match(key))
    }


@require_http_methods(["GET", "POST"])
@staff_required
def coding_queue(request: MemberRequest) -> HttpResponse:
    scope = enrollment_scope(request)
    if scope is None:  # staff_required lets only clinicians and admins in
        raise Http404
    status = 200
    items = coding.coding_queue(scope)
    form = QueueCodingForm(items=items)
    if request.method == "POST":
        form = QueueCodingForm(request.POST, items=items)
        try:
            saved = coding.causes_code_blind(
                scope=scope, codes=_posted_codes(request), by=request.user, request=request
            )
        except coding.OutsideScope:
            audit(
                request,
                "access.denied",
                practice=request.membership.practice,
                object_type="programs.attributioncause",
            )
            raise Http404 from None
        except ValidationError as error:
            form.is_valid()
            form.add_error(None, error)
            status = 400
        else:
            messages.success(
                request,
                ngettext("Saved %(n)s code.", "Saved %(n)s codes.", saved) % {"n": saved}
                if saved
                else gettext("Nothing to save: choose a category for at least one cause."),
            )
            return redirect(reverse("coding_queue"))
    else:
        coding.audit_queue_read(request, practice_id=scope.practice_id, items=items)
    return render(
        request,
        "tracking/clinic/coding_queue.html",
        {
            "form": form,
            "items": items,
            "uncoded_causes": coding.uncoded_count(scope),
            "page_size": coding.QUEUE_PAGE_SIZE,
        },
        status=status,
    )
