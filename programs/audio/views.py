"""Recorded audio: the practice admin's page (list, upload or replace, delete) and the
one view that serves a recording's file, to members of its practice only.

There is no public media URL: storage is reached only through `recording_file`, which
looks the recording up within the requester's own practice (anyone else: 404) and
answers Range requests, so a phone can seek in a long guided session.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import IO

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from painapp.accounts.access import admin_required, practice_object_or_404, role_required
from painapp.accounts.models import Role
from painapp.types import MemberRequest
from programs.audio import selectors, services
from programs.audio.forms import RecordingForm
from programs.audio.models import Recording

logger = logging.getLogger(__name__)
member_required = role_required(Role.PATIENT, Role.CLINICIAN, Role.ADMIN)

CHUNK = 64 * 1024
# Private: no shared cache may keep one practice's recording for anyone else. The
# PrivacyHeadersMiddleware adds no-store, as to every logged-in response: that the file
# was played says where someone is treated, which a shared computer should not keep.
# Seeking does not need the cache: each seek is a Range request.
CACHE_CONTROL = "private"
# At most 18 digits a position (under 2**63, past any file): a longer one is a Range
# header we do not serve, ignored like any other (RFC 9110 §14.2: the whole file, 200),
# and never reaches int(), which refuses more than 4,300 digits.
_RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")


def _ui_language() -> str:
    return (get_language() or "en").split("-")[0]


@admin_required
@require_http_methods(["GET", "POST"])
def recordings(request: MemberRequest) -> HttpResponse:
    practice = request.practice
    slots = selectors.slots(_ui_language())
    initial = {
        "slot": request.GET.get("slot", ""),
        "language": request.GET.get("language", _ui_language()),
    }
    form = RecordingForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        slots=slots,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            assert form.audio_format is not None  # clean_file found one
            recording, replaced = services.recording_save(
                request=request,
                practice=practice,
                uploaded_by=request.user,
                slot=data["slot"],
                language=data["language"],
                upload=data["file"],
                audio_format=form.audio_format,
                transcript=data["transcript"],
            )
            label = form.slot_labels.get(recording.slot, recording.slot)
            names = selectors.language_names()
            words = {"part": label, "language": names.get(recording.language, "")}
            messages.success(
                request,
                (
                    _("Recording replaced: %(part)s (%(language)s).")
                    if replaced
                    else _("Recording added: %(part)s (%(language)s).")
                )
                % words,
            )
            return redirect("admin_audio")
        status = 422
    rows = selectors.admin_rows(practice.pk, _ui_language())
    return render(
        request,
        "programs/audio/recordings.html",
        {
            "form": form,
            "rows": rows,
            "recorded": sum(1 for r in rows if r["recording"]),
        },
        status=status,
    )


@admin_required
@require_POST
def recording_delete(request: MemberRequest, pk: int) -> HttpResponse:
    recording = practice_object_or_404(request, Recording, pk, practice=request.practice)
    services.recording_delete(request=request, recording=recording)
    messages.success(
        request, _("Recording deleted. Patients hear the read-aloud voice for that part again.")
    )
    return redirect("admin_audio")


def _ranged(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte of a single satisfiable range; None to send the whole file
    (no header, or one we do not serve, such as several ranges); False if the range
    cannot be satisfied (416)."""
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        n = int(last)
        if n == 0:
            return False
        return max(size - n, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return False
    return start, end


@require_safe  # GET, and HEAD for players that ask for the size first
@member_required
def recording_file(request: MemberRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    """The recording's audio, for any member of its practice (patient or staff)."""
    recording = practice_object_or_404(request, Recording, pk, practice=request.practice)
    storage, name = recording.file.storage, recording.file.name or ""
    try:
        size = storage.size(name)
        handle = storage.open(name, "rb")
    except OSError:
        # The row outlived its file (a restore without the media folder): nothing to play.
        logger.warning("recording %s: its file is missing from storage", recording.pk)
        raise Http404 from None
    wanted = _byte_range(request.headers.get("Range", ""), size)
    response: HttpResponse | StreamingHttpResponse
    if wanted is False:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = FileResponse(handle, content_type=recording.content_type)
        response["Content-Length"] = str(size)
    else:
        assert isinstance(wanted, tuple)
        start, end = wanted
        response = StreamingHttpResponse(
            _ranged(handle, start, end - start + 1),
            status=206,
            content_type=recording.content_type,
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = CACHE_CONTROL
    response["Last-Modified"] = http_date(recording.updated_at.timestamp())
    # The browser plays it; it never offers the stored name.
    response["Content-Disposition"] = "inline"
    return response
