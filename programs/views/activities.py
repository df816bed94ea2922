from django.http import HttpResponse

from programs.access import enrollment_required


def _soon(request, *args, **kwargs):
    return HttpResponse("Coming soon.")


activity = activity_complete = enrollment_required(_soon)
