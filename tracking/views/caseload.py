from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from painapp.accounts.access import clinician_required


@clinician_required
def caseload(request: HttpRequest) -> HttpResponse:
    return render(request, "tracking/caseload.html", {})
