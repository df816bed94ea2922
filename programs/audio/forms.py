"""The admin's upload form: which part, which language, the transcript, the file.

The transcript comes before the file on the page (and so in the request), and a
refused file never loses it: the form comes back with the words as typed and a
message that says what was wrong with the file.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from painapp.widgets import TOO_LONG, LongTextarea
from programs.audio.selectors import Slot
from programs.audio.sniff import AudioFormat, sniff

ACCEPT = ".mp3,.m4a,.aac,.ogg,.opus,.wav,audio/*"
TRANSCRIPT_MAX = 30_000


def max_upload_bytes() -> int:
    return settings.AUDIO_MAX_UPLOAD_MB * 1024 * 1024


class RecordingForm(forms.Form):
    slot = forms.ChoiceField(label=_("Which part"))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    transcript = forms.CharField(
        label=_("Transcript"),
        help_text=_(
            "Every word the recording says, so patients who cannot listen can read it. "
            "It is shown under the player."
        ),
        max_length=TRANSCRIPT_MAX,
        widget=LongTextarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Type the words the recording says (its transcript)."),
            "max_length": TOO_LONG,
        },
    )
    file = forms.FileField(
        label=_("Audio file"),
        error_messages={
            "required": _("Choose an audio file to upload."),
            "empty": _("That file is empty. Choose the recording itself."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, slots: list[Slot], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        slot_field = self.fields["slot"]
        assert isinstance(slot_field, forms.ChoiceField)
        slot_field.choices = [(s.key, s.label) for s in slots]
        self.slot_labels = {s.key: s.label for s in slots}
        self.fields["file"].help_text = _(
            "MP3, M4A (AAC), Ogg (Opus or Vorbis) or WAV, up to %(size)s. Uploading for a "
            "part and language that already has a recording replaces it."
        ) % {"size": filesizeformat(max_upload_bytes())}
        self.audio_format: AudioFormat | None = None

    def clean_transcript(self) -> str:
        return self.cleaned_data["transcript"].strip()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            size, limit = filesizeformat(upload.size), filesizeformat(max_upload_bytes())
            if size == limit:  # rounded alike: not "1.0 MB; the most it can be is 1.0 MB"
                size = _("just over %(limit)s") % {"limit": limit}
            raise forms.ValidationError(
                _(
                    "That file is %(size)s; the most it can be is %(limit)s. Save the "
                    "recording at a lower quality (for speech, 64 to 128 kbps MP3 or M4A "
                    "is plenty) and try again. Your transcript is still here."
                ),
                params={"size": size, "limit": limit},
                code="too_big",
            )
        found = sniff(upload)
        if found is None:
            raise forms.ValidationError(
                _(
                    "That file is not a recording we can play: it must really be MP3, "
                    "M4A (AAC), Ogg (Opus or Vorbis) or WAV, whatever its name says. "
                    "Export it again in one of those formats. Your transcript is still here."
                ),
                code="not_audio",
            )
        self.audio_format = found
        return upload
