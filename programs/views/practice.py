"""Somatic-tracking player. (Being built: see the somatic-tracking work.)"""

from django.http import HttpResponse

from programs.access import enrollment_required


@enrollment_required
def player(request):
    return HttpResponse("Somatic tracking is coming soon.")


@enrollment_required
def save_session(request):
    return HttpResponse(status=501)
