"""Words for staff pages that are stored in English (a questionnaire band is kept with
its score, as tracking.rules names it): their translation for the reader, looked up
when a page is drawn. The stored values stay as they are."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

BAND_LABELS = {
    "Minimal": _("Minimal"),
    "Mild": _("Mild"),
    "Moderate": _("Moderate"),
    "Moderately severe": _("Moderately severe"),
    "Severe": _("Severe"),
    "Below screening threshold": _("Below screening threshold"),
    "Positive screen: consider PHQ-9": _("Positive screen: consider PHQ-9"),
    "Positive screen: consider GAD-7": _("Positive screen: consider GAD-7"),
    "Pain present": _("Pain present"),
    "Pain-free or nearly pain-free": _("Pain-free or nearly pain-free"),
}


def band_label(band: str | None) -> str:
    """A stored band in the reader's language ("" for none; an unknown one as stored)."""
    if not band:
        return ""
    return str(BAND_LABELS.get(band, band))
