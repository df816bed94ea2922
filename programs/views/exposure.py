"""Graded exposure. (Being built: see the exposure work.)"""

from django.http import HttpResponse

from programs.access import enrollment_required


def _soon(request, *args, **kwargs):
    return HttpResponse("Graded exposure is coming soon.")


ladder = fear_create = fear_edit = fear_move = enrollment_required(_soon)
exposure_plan = exposure_detail = exposure_done = enrollment_required(_soon)
