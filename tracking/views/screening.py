from django.http import HttpResponse

from programs.access import enrollment_required


def _soon(request, *args, **kwargs):
    return HttpResponse("Coming soon.")


screening = hold = enrollment_required(_soon, allow_onboarding=True)
