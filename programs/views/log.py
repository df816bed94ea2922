from django.http import HttpResponse

from programs.access import enrollment_required


def _soon(request, *args, **kwargs):
    return HttpResponse("Coming soon.")


my_log = enrollment_required(_soon)
