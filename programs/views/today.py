from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from painapp.accounts.access import patient_required


@patient_required
def today(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/today.html", {})
