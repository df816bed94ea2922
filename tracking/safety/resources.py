"""Crisis resources by country: the reviewed defaults every practice starts with, and
which list a patient sees.

Each default names where its numbers were checked (`source`, shown to admins on the
settings screen and stored with the practice's copy). Checked 2026-12-06; re-check
them at least once a year: numbers change (Canada's 9-8-8 opened on 30 Nov 2023).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from painapp.accounts.zone_names import zone_country
from programs.markdown import render_markdown
from programs.models import Enrollment
from tracking.models import CrisisResource, PracticeSettings

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Default:
    name: StrOrPromise
    body_md: str
    source: str


GENERIC = (
    "**If you are in danger now, call your local emergency number** or go to the "
    "nearest emergency department.\n\n"
    "If you are thinking about hurting yourself, please tell someone you trust today, "
    "and contact your doctor or a local crisis line."
)

DEFAULTS: dict[str, Default] = {
    "US": Default(
        _("United States"),
        "**If you are in danger now, call 911.**\n\n"
        "- Call or text **988** (988 Suicide & Crisis Lifeline), any time, free. You can "
        "also chat at 988lifeline.org.\n"
        "- Or go to the nearest emergency room.",
        # 988 went live 16 July 2022; call, text or chat, 24/7.
        "https://www.mcphs.edu/student-life/counseling-services/emergency-services/988-suicide-and-crisis-lifeline\n"
        "https://health.wyo.gov/publichealth/prevention/wivpp/suicide-prevention/988-suicide-crisis-lifeline",
    ),
    "GB": Default(
        _("United Kingdom"),
        "**If you are in danger now, call 999** or go to A&E.\n\n"
        "- Call **NHS 111** and choose the mental health option (in England), any time.\n"
        "- Call Samaritans on **116 123**, free, any time.",
        # 116 123 free from landlines and mobiles, 24/7; NHS 111 option 2 for mental
        # health crisis (England); 999 / A&E if life is at risk.
        "https://www.samaritans.org/how-we-can-help/contact-samaritan/\n"
        "https://www.norwoodmc.co.uk/2024/08/14/nhs-111-option-2-for-crisis-mental-health-support/",
    ),
    "IE": Default(
        _("Ireland"),
        "**If you are in danger now, call 112 or 999** or go to your nearest emergency "
        "department.\n\n"
        "- Call Samaritans on **116 123**, free, any time.\n"
        "- Text **50808**, free, any time, to talk to a trained volunteer.",
        # Samaritans Ireland freephone 116 123; 50808 HSE-funded 24/7 text service.
        "https://www.samaritans.org/how-we-can-help/contact-samaritan/\n"
        "https://www.irishexaminer.com/news/arid-31005605.html",
    ),
    "CA": Default(
        _("Canada"),
        "**If you are in danger now, call 911** or go to the nearest emergency "
        "department.\n\n"
        "- Call or text **9-8-8** (Suicide Crisis Helpline), free, any time, in English "
        "or French.",
        # 9-8-8 launched nationally 30 Nov 2023, call or text, 24/7.
        "https://www.newswire.ca/news-releases/government-of-canada-launches-three-digit-suicide-crisis-helpline-896472116.html",
    ),
    "AU": Default(
        _("Australia"),
        "**If you are in danger now, call 000.**\n\n"
        "- Call Lifeline on **13 11 14**, any time.\n"
        "- Or text Lifeline on **0477 13 11 14**, any time.",
        # Lifeline 13 11 14 24/7 (000 if in immediate danger); text 0477 13 11 14 24/7.
        "https://lifelineh2h.org.au/get-help/telephone-crisis-support/faqs/\n"
        "https://www.theleader.com.au/story/7611333/lifeline-crisis-text-service-goes-247-to-help-more-in-need/",
    ),
    "NZ": Default(
        _("New Zealand"),
        "**If you are in danger now, call 111.**\n\n"
        "- Call or text **1737** (Need to talk?), free, any time, to talk with a trained "
        "counsellor.\n"
        "- Or call Lifeline on **0800 543 354**, or text **4357** (HELP).",
        # 1737 free call or text 24/7; 111 in an emergency; Lifeline 0800 543 354, text HELP (4357).
        "http://www.voxy.co.nz/national/5/361737\n"
        "https://www.scoop.co.nz/stories/GE1803/S00053/lifeline-expands-to-offer-text-support-for-those-in-distress.htm",
    ),
    "MX": Default(
        _("Mexico"),
        "**If you are in danger now, call 911** or go to the nearest emergency "
        "department.\n\n"
        "- Call Línea de la Vida on **800 911 2000**, free, any time (in Spanish).",
        # 911 is Mexico's single emergency number (nationwide since Jan 2017), free;
        # Línea de la Vida 800 911 2000, free, 24/7, 365 days (Secretaría de Salud, CONASAMA).
        "https://www.eluniversal.com.mx/nacion/promueven-la-linea-de-la-vida-tras-presentar-encuesta-sobre-consumo-de-drogas-asi-puedes-pedir-ayuda/\n"
        "https://almomento.mx/?p=1169021\n"
        "https://www.noventagrados.com.mx/politica/sistema-de-emergencias-911-aliado-de-las-y-los-michoacanos-ante-cualquier-eventualidad-ssp.htm",
    ),
    "ES": Default(
        _("Spain"),
        "**If you are in danger now, call 112** or go to the nearest emergency "
        "department.\n\n"
        "- Call **024** (the suicide-crisis line), free, any time (in Spanish).",
        # 112 is the single emergency number, free, 24/7; 024 "Línea de atención a la
        # conducta suicida", free, confidential, 24/7 since 10 May 2022 (Ministerio de Sanidad).
        "https://www.rtve.es/noticias/20220509/sanidad-presenta-telefono-prevencion-suicidio/2347183.shtml\n"
        "https://maldita.es/index.php/malditaciencia/20220510/024-numero-telefono-atencion-suicidio-espana-gratuito\n"
        "https://www.upday.com/es/si-tengo-una-emergencia-llamo-al-112-al-091-o-al-061",
    ),
}

# The number to call in an emergency (ambulance), by country: the first number in each
# default's "If you are in danger now" line (same sources). The safety hold page shows
# it as a tap-to-call link; a country not listed gets "your local emergency number".
EMERGENCY_NUMBERS: dict[str, str] = {
    "US": "911",
    "GB": "999",
    "IE": "112",
    "CA": "911",
    "AU": "000",
    "NZ": "111",
    "MX": "911",
    "ES": "112",
}


def emergency_number(country: str) -> str:
    """The emergency number of the patient's country, or "" when we do not know it."""
    return EMERGENCY_NUMBERS.get(country, "")


# A phone number as people in each country write it, with its country code, for the
# forms' examples (the example follows the patient's country, not their language):
# numbers set aside for fiction and examples where the country has such a range (US
# and Canada 555-01xx, UK 07700 900xxx, Australia 0491 570 xxx), else a made-up
# number in the usual shape. Another country, or none chosen: the UK's.
PHONE_EXAMPLES: dict[str, str] = {
    "US": "+1 202 555 0143",
    "GB": "+44 7700 900123",
    "IE": "+353 85 123 4567",
    "CA": "+1 613 555 0143",
    "AU": "+61 491 570 156",
    "NZ": "+64 21 123 4567",
    "MX": "+52 55 1234 5678",
    "ES": "+34 612 34 56 78",
}


def phone_example(country: str) -> str:
    """An example phone number for a patient in `country` (PHONE_EXAMPLES)."""
    return PHONE_EXAMPLES.get(country, PHONE_EXAMPLES["GB"])


GENERIC_ES = (
    "**Si está en peligro ahora, llame al número de emergencias de su país** o vaya "
    "a la sala de emergencias más cercana.\n\n"
    "Si piensa en hacerse daño, por favor dígaselo hoy a alguien de confianza, y "
    "hable con su médico o con una línea de crisis de su zona."
)

# The same lists in Spanish, for a patient whose language is Spanish (issue 18). Same
# numbers as DEFAULTS (same sources), plus the Spanish-language options where a line
# has one; where a line answers only in English (or French) the text says so. Checked
# 2026-12-06; re-check with DEFAULTS.
DEFAULTS_ES: dict[str, Default] = {
    "US": Default(
        "Estados Unidos",
        "**Si está en peligro ahora, llame al 911.**\n\n"
        "- Llame al **988** y oprima **2** para hablar en español, a cualquier hora, "
        "gratis (988 Línea de Prevención del Suicidio y Crisis).\n"
        "- O envíe un mensaje de texto con la palabra **AYUDA** al **988**.\n"
        "- O vaya a la sala de emergencias más cercana.",
        # Call 988 then press 2 for Spanish; text "AYUDA" to 988 for Spanish text;
        # Spanish text and chat since 13 July 2023. 24/7, free.
        "https://988lifeline.org/get-help/what-to-expect\n"
        "https://medium.com/wadepthealth/the-spanish-subnetwork-crisis-support-for-people-who-speak-spanish-3ef49f22004f\n"
        "https://spectrumnews1.com/ky/louisville/health-and-medicine/2023/07/13/988-mental-health-lifeline-expands-with-chats-and-texts-in-spanish",
    ),
    "MX": Default(
        "México",
        "**Si está en peligro ahora, llame al 911** o vaya a la sala de emergencias "
        "más cercana.\n\n"
        "- Llame a la Línea de la Vida al **800 911 2000**, gratis, a cualquier hora.",
        DEFAULTS["MX"].source,
    ),
    "ES": Default(
        "España",
        "**Si está en peligro ahora, llame al 112** o vaya a urgencias del hospital "
        "más cercano.\n\n"
        "- Llame al **024** (línea de atención a la conducta suicida), gratis, a "
        "cualquier hora.",
        DEFAULTS["ES"].source,
    ),
    "GB": Default(
        "Reino Unido",
        "**Si está en peligro ahora, llame al 999** o vaya a urgencias (A&E).\n\n"
        "- Llame al **NHS 111** y elija la opción de salud mental (en Inglaterra), a "
        "cualquier hora.\n"
        "- Llame a Samaritans al **116 123**, gratis, a cualquier hora.\n\n"
        "Estas líneas atienden en inglés.",
        DEFAULTS["GB"].source,
    ),
    "IE": Default(
        "Irlanda",
        "**Si está en peligro ahora, llame al 112 o al 999** o vaya a urgencias del "
        "hospital más cercano.\n\n"
        "- Llame a Samaritans al **116 123**, gratis, a cualquier hora.\n"
        "- Envíe un mensaje de texto al **50808**, gratis, a cualquier hora.\n\n"
        "Estas líneas atienden en inglés.",
        DEFAULTS["IE"].source,
    ),
    "CA": Default(
        "Canadá",
        "**Si está en peligro ahora, llame al 911** o vaya a la sala de emergencias "
        "más cercana.\n\n"
        "- Llame o envíe un mensaje de texto al **9-8-8**, gratis, a cualquier hora. "
        "Atienden en inglés o en francés.",
        DEFAULTS["CA"].source,
    ),
    "AU": Default(
        "Australia",
        "**Si está en peligro ahora, llame al 000.**\n\n"
        "- Llame a Lifeline al **13 11 14**, a cualquier hora.\n"
        "- O envíe un mensaje de texto a Lifeline al **0477 13 11 14**.\n\n"
        "Estas líneas atienden en inglés.",
        DEFAULTS["AU"].source,
    ),
    "NZ": Default(
        "Nueva Zelanda",
        "**Si está en peligro ahora, llame al 111.**\n\n"
        "- Llame o envíe un mensaje de texto al **1737**, gratis, a cualquier hora.\n"
        "- O llame a Lifeline al **0800 543 354**, o envíe un texto al **4357**.\n\n"
        "Estas líneas atienden en inglés.",
        DEFAULTS["NZ"].source,
    ),
}

# Countries a patient or practice can choose: the ones with reviewed defaults first,
# then "another country" (the generic text). Codes are ISO 3166-1 alpha-2.
OTHER = "ZZ"
COUNTRY_CHOICES: list[tuple[str, StrOrPromise]] = [
    *((code, d.name) for code, d in DEFAULTS.items()),
    (OTHER, _("Another country")),
]
COUNTRY_NAMES = dict(COUNTRY_CHOICES)


def country_of_zone(zone: str) -> str:
    """The country of a time zone, if it is one we have crisis numbers for, else ""."""
    code = zone_country(zone)
    return code if code in DEFAULTS else ""


def suggested_country(zone: str) -> str:
    """The country to offer a patient in this time zone: one we have crisis numbers
    for, "another country" (OTHER) for a zone of any other country, and "" (no
    suggestion: they choose) for a zone of no country (UTC) or one we do not know."""
    code = zone_country(zone)
    if not code:
        return ""
    return code if code in DEFAULTS else OTHER


@dataclass(frozen=True)
class CrisisCountry:
    """Whose crisis numbers a patient is shown, and why: the country they chose
    ("chosen"), else the country of their time zone ("zone"; OTHER for a country we
    have no numbers for: the steps for anywhere), else, for a zone of no country (UTC),
    their practice's default country ("clinic"); "" when none of these is known (the
    generic text)."""

    code: str
    how: str

    @property
    def name(self) -> StrOrPromise:
        return DEFAULTS[self.code].name if self.code in DEFAULTS else ""


def crisis_country(enrollment: Enrollment) -> CrisisCountry:
    """The one place that says which country's numbers a patient sees (every crisis box
    names it, with a link to change it)."""
    if enrollment.country:
        return CrisisCountry(enrollment.country, "chosen")
    # The same rule onboarding suggests by (suggested_country): a zone of a country we
    # have numbers for gives those; a zone of any other country gives "another country"
    # (OTHER: the steps for anywhere), never the clinic's country's numbers.
    by_zone = suggested_country(enrollment.patient.timezone)
    if by_zone:
        return CrisisCountry(by_zone, "zone")
    clinic = (
        PracticeSettings.objects.filter(practice_id=enrollment.practice_id)
        .values_list("default_country", flat=True)
        .first()
    ) or ""
    return CrisisCountry(clinic, "clinic") if clinic else CrisisCountry("", "")


def crisis_resources_seed(practice_id: int) -> None:
    """Give the practice its own editable copy of every reviewed default it lacks."""
    have = set(
        CrisisResource.objects.filter(practice_id=practice_id).values_list("country", flat=True)
    )
    CrisisResource.objects.bulk_create(
        [
            CrisisResource(
                practice_id=practice_id, country=code, body_md=d.body_md, source=d.source
            )
            for code, d in DEFAULTS.items()
            if code not in have
        ],
        ignore_conflicts=True,
    )


def crisis_resources_for(
    *, practice_id: int | None, country: str = "", language: str = "en"
) -> str:
    """The Markdown a patient in `country` sees: the practice's list for that country,
    else the reviewed default for it; a patient who has not said where they are gets
    the practice's default country's list; "another country", or nothing known, gets
    the generic "call your local emergency number" (or the practice's own "ZZ" text).

    A patient whose language is Spanish gets the reviewed Spanish list for the country
    (DEFAULTS_ES, with the Spanish-language options), followed by the practice's own
    text when the practice has changed it from the English default (its own numbers
    must not be lost); for a country with no Spanish list, the Spanish generic text,
    then the practice's (or default) list."""
    if language == "es":
        return _spanish(practice_id=practice_id, country=country)
    if practice_id is None:
        return DEFAULTS[country].body_md if country in DEFAULTS else GENERIC
    if not country:
        country = (
            PracticeSettings.objects.filter(practice_id=practice_id)
            .values_list("default_country", flat=True)
            .first()
        ) or ""
    if not country:
        return GENERIC
    own = (
        CrisisResource.objects.filter(practice_id=practice_id, country=country)
        .values_list("body_md", flat=True)
        .first()
    )
    if own and own.strip():
        return own
    return DEFAULTS[country].body_md if country in DEFAULTS else GENERIC


def active_language() -> str:
    """The language of the page being built ("en" or "es"), for crisis_resources_for."""
    return (get_language() or "en").split("-")[0]


def _spanish(*, practice_id: int | None, country: str) -> str:
    if practice_id is not None and not country:
        country = (
            PracticeSettings.objects.filter(practice_id=practice_id)
            .values_list("default_country", flat=True)
            .first()
        ) or ""
    english = crisis_resources_for(practice_id=practice_id, country=country or OTHER)
    if country in DEFAULTS_ES:
        own = english.strip()
        if own and own != DEFAULTS[country].body_md.strip():
            return DEFAULTS_ES[country].body_md + "\n\n---\n\n" + english
        return DEFAULTS_ES[country].body_md
    if english.strip() == GENERIC.strip():
        return GENERIC_ES
    return GENERIC_ES + "\n\n---\n\n" + english


# A phone number written in bold in a crisis list: at least three digits, single spaces
# or hyphens between them ("999", "116 123", "9-8-8", "0477 13 11 14"); never part of a
# word, a longer number or an HTML entity ("&#8212;").
_BOLD = re.compile(r"<strong>([^<]*)</strong>")
_NUMBER = re.compile(r"(?<![\w#&+])\+?\d(?:[ \-]?\d){2,14}(?![\w])")
_BLOCK_START = re.compile(r"<(?:li|p|br|h\d)[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_TEXT_WORDS = re.compile(r"\btext|\btexto\b|\bsms\b", re.IGNORECASE)
_CALL_WORDS = re.compile(r"\bcall|\bllame\b|\bllamar\b|\bphone\b", re.IGNORECASE)


def crisis_html(markdown_text: str) -> SafeString:
    """Crisis resources as safe HTML, each bold phone number a link a phone can dial at
    once: someone in crisis on a phone should not have to copy "116 123" into the
    dialler. A number that the same line offers only by text message ("Text **50808**",
    "or text **4357**") opens the messages app instead (`sms:`); every other number
    dials (`tel:`). Numbers only count in bold, as every reviewed list writes them, so
    opening hours or years in a practice's own text never become links."""
    html = str(render_markdown(markdown_text))

    def link_bold(bold: re.Match[str]) -> str:
        block = _BLOCK_START.split(html[: bold.start()])[-1]

        def link_number(number: re.Match[str]) -> str:
            in_bold = bold.group(1)[: number.start()]
            before = _TAG.sub(" ", block) + " " + in_bold
            # "Or call … **0800 543 354**, or text **4357**": the verb since the last
            # bold number is the one that belongs to this number.
            since_last_bold = _TAG.sub(" ", block.rsplit("</strong>", 1)[-1]) + " " + in_bold
            by_text = bool(_TEXT_WORDS.search(before)) and not _CALL_WORDS.search(since_last_bold)
            scheme = "sms" if by_text else "tel"
            digits = re.sub(r"[ \-]", "", number.group(0))
            return f'<a href="{scheme}:{digits}">{number.group(0)}</a>'

        return "<strong>" + _NUMBER.sub(link_number, bold.group(1)) + "</strong>"

    return mark_safe(_BOLD.sub(link_bold, html))  # noqa: S308 — sanitised markdown; only digits added


@dataclass(frozen=True)
class PatientCrisis:
    """A patient's crisis numbers, as "Get help now" shows them: the enrollment they are
    for (None before any), whose numbers they are (crisis_country) and the list as HTML."""

    enrollment: Enrollment | None
    country: CrisisCountry
    html: SafeString


def patient_crisis(user_id: int, practice_id: int, language: str | None = None) -> PatientCrisis:
    """The one place that picks a patient's crisis numbers outside a check-in: the open
    enrollment in this practice, else the latest; its country's list as the practice
    set it (crisis_resources_for). "Get help now" and the account-deletion hold use it."""
    latest = list(
        Enrollment.objects.filter(patient_id=user_id, practice_id=practice_id)
        .select_related("patient")
        .order_by("-created_at")[:5]
    )
    enrollment = min(latest, key=lambda e: not e.is_open, default=None)
    country = crisis_country(enrollment) if enrollment is not None else CrisisCountry("", "")
    body = crisis_resources_for(
        practice_id=practice_id,
        country=country.code or (OTHER if enrollment is not None else ""),
        language=language or active_language(),
    )
    return PatientCrisis(enrollment=enrollment, country=country, html=crisis_html(body))


def deletion_hold_crisis_html(user, practice_id: int) -> SafeString:
    """For painapp.accounts' deletion-hold page (its crisis_help extension point): the
    numbers, and whose they are with a link to change the country, as every crisis box."""
    found = patient_crisis(user.pk, practice_id)
    if found.enrollment is None:
        return found.html
    return found.html + render_to_string(
        "partials/crisis_country.html", {"crisis_country": found.country}
    )
