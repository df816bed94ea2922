from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from programs.access import enrollment_required


@enrollment_required
def today(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/today.html", {})


overview = week = today
