"""Crisis resources by country: the reviewed defaults every practice starts with, and
which list a patient sees.

Each default names where its numbers were checked (`source`, shown to admins on the
settings screen and stored with the practice's copy). Checked 2026-12-06; re-check
them at least once a year: numbers change (Canada's 9-8-8 opened on 30 Nov 2023).
"""

from __future__ import annotations

from dataclasses import dataclass

from tracking.models import CrisisResource, PracticeSettings


@dataclass(frozen=True)
class Default:
    name: str
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
        "United States",
        "**If you are in danger now, call 911.**\n\n"
        "- Call or text **988** (988 Suicide & Crisis Lifeline), any time, free. You can "
        "also chat at 988lifeline.org.\n"
        "- Or go to the nearest emergency room.",
        # 988 went live 16 July 2022; call, text or chat, 24/7.
        "https://www.mcphs.edu/student-life/counseling-services/emergency-services/988-suicide-and-crisis-lifeline\n"
        "https://health.wyo.gov/publichealth/prevention/wivpp/suicide-prevention/988-suicide-crisis-lifeline",
    ),
    "GB": Default(
        "United Kingdom",
        "**If you are in danger now, call 999** or go to A&E.\n\n"
        "- Call **NHS 111** and choose the mental health option (in England), any time.\n"
        "- Call Samaritans on **116 123**, free, any time.",
        # 116 123 free from landlines and mobiles, 24/7; NHS 111 option 2 for mental
        # health crisis (England); 999 / A&E if life is at risk.
        "https://www.samaritans.org/how-we-can-help/contact-samaritan/\n"
        "https://www.norwoodmc.co.uk/2024/08/14/nhs-111-option-2-for-crisis-mental-health-support/",
    ),
    "IE": Default(
        "Ireland",
        "**If you are in danger now, call 112 or 999** or go to your nearest emergency "
        "department.\n\n"
        "- Call Samaritans on **116 123**, free, any time.\n"
        "- Text **50808**, free, any time, to talk to a trained volunteer.",
        # Samaritans Ireland freephone 116 123; 50808 HSE-funded 24/7 text service.
        "https://www.samaritans.org/how-we-can-help/contact-samaritan/\n"
        "https://www.irishexaminer.com/news/arid-31005605.html",
    ),
    "CA": Default(
        "Canada",
        "**If you are in danger now, call 911** or go to the nearest emergency "
        "department.\n\n"
        "- Call or text **9-8-8** (Suicide Crisis Helpline), free, any time, in English "
        "or French.",
        # 9-8-8 launched nationally 30 Nov 2023, call or text, 24/7.
        "https://www.newswire.ca/news-releases/government-of-canada-launches-three-digit-suicide-crisis-helpline-896472116.html",
    ),
    "AU": Default(
        "Australia",
        "**If you are in danger now, call 000.**\n\n"
        "- Call Lifeline on **13 11 14**, any time.\n"
        "- Or text Lifeline on **0477 13 11 14**, any time.",
        # Lifeline 13 11 14 24/7 (000 if in immediate danger); text 0477 13 11 14 24/7.
        "https://lifelineh2h.org.au/get-help/telephone-crisis-support/faqs/\n"
        "https://www.theleader.com.au/story/7611333/lifeline-crisis-text-service-goes-247-to-help-more-in-need/",
    ),
    "NZ": Default(
        "New Zealand",
        "**If you are in danger now, call 111.**\n\n"
        "- Call or text **1737** (Need to talk?), free, any time, to talk with a trained "
        "counsellor.\n"
        "- Or call Lifeline on **0800 543 354**, or text **4357** (HELP).",
        # 1737 free call or text 24/7; 111 in an emergency; Lifeline 0800 543 354, text HELP (4357).
        "http://www.voxy.co.nz/national/5/361737\n"
        "https://www.scoop.co.nz/stories/GE1803/S00053/lifeline-expands-to-offer-text-support-for-those-in-distress.htm",
    ),
}

# Countries a patient or practice can choose: the ones with reviewed defaults first,
# then "another country" (the generic text). Codes are ISO 3166-1 alpha-2.
OTHER = "ZZ"
COUNTRY_CHOICES: list[tuple[str, str]] = [
    *((code, d.name) for code, d in DEFAULTS.items()),
    (OTHER, "Another country"),
]
COUNTRY_NAMES = dict(COUNTRY_CHOICES)


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


def crisis_resources_for(*, practice_id: int | None, country: str = "") -> str:
    """The Markdown a patient in `country` sees: the practice's list for that country,
    else the reviewed default for it; a patient who has not said where they are gets
    the practice's default country's list; "another country", or nothing known, gets
    the generic "call your local emergency number" (or the practice's own "ZZ" text)."""
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
