"""The instruments we may ship (see PRT_NOTES.md for licences), as plain data.

Wording of PHQ-9/PHQ-2 and GAD-7/GAD-2 is reproduced as released by their authors
without copyright restriction; the FABQ physical-activity items with citation; the
pain, fear and causes items are our own. Their band tables and the PHQ-9's safety
item are the clinical rules' (tracking.rules), in a definition's form: the same
numbers give the same definition, so building them from there makes no new version.
"""

from __future__ import annotations

from tracking import rules
from tracking.instruments import shipped_es

NRS_LABELS = {"0": "No pain", "10": "Worst pain you can imagine"}
PHQ_OPTIONS = {
    "0": "Not at all",
    "1": "Several days",
    "2": "More than half the days",
    "3": "Nearly every day",
}
FABQ_OPTIONS = {"0": "Completely disagree", "3": "Unsure", "6": "Completely agree"}

PHQ9_ITEMS = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or "
    "your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
]
# PHQ-9's last question, asked after the nine: how much the problems get in the way of
# daily life. Not scored (the total stays items 1–9); shown to clinicians with the
# answers. Optional: it only applies to someone who reported any problem.
PHQ9_DIFFICULTY = {
    "key": "phq10",
    "text": "If you checked off any problems, how difficult have these problems made it for "
    "you to do your work, take care of things at home, or get along with other people?",
    "min": 0,
    "max": 3,
    "labels": {
        "0": "Not difficult at all",
        "1": "Somewhat difficult",
        "2": "Very difficult",
        "3": "Extremely difficult",
    },
    "optional": True,
    "scored": False,
    "hint": "Answer this if you chose anything other than “Not at all” above. "
    "It is not added to the score. You can leave it blank.",
}
GAD7_ITEMS = [
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
]


def _items(prefix: str, texts: list[str], lo: int, hi: int, labels: dict) -> list[dict]:
    return [
        {"key": f"{prefix}{n}", "text": t, "min": lo, "max": hi, "labels": labels}
        for n, t in enumerate(texts, start=1)
    ]


# "patient_title": the heading patients read where the title is a code ("PHQ-2");
# clinicians read the title (registry.patient_title_in).
SHIPPED: list[dict] = [
    {
        "key": "pain_avg",
        "title": "Average pain",
        "instructions": "Think about the last 7 days.",
        "citation": "Numeric rating scale; the outcome of Ashar et al., JAMA Psychiatry 2022 "
        "(0–1 = pain-free or nearly pain-free).",
        "licence_note": "Our own wording.",
        "items": [
            {
                "key": "pain_avg",
                "min": 0,
                "max": 10,
                "labels": NRS_LABELS,
                "text": "On average, how strong was your back pain over the last 7 days?",
            }
        ],
        "scoring": {"method": "raw", "bands": rules.scoring_bands(rules.PAIN_AVG_BANDS)},
    },
    {
        "key": "pain_worst",
        "title": "Worst pain",
        "instructions": "Think about the last 7 days.",
        "citation": "Numeric rating scale.",
        "licence_note": "Our own wording.",
        "items": [
            {
                "key": "pain_worst",
                "min": 0,
                "max": 10,
                "labels": NRS_LABELS,
                "text": "At its worst, how strong was your back pain over the last 7 days?",
            }
        ],
        "scoring": {"method": "raw"},
    },
    {
        "key": "fear_movement",
        "title": "Fear of movement",
        "instructions": "Think about the last 7 days.",
        "citation": "Single-item numeric rating scale (our own item).",
        "licence_note": "Our own wording.",
        "items": [
            {
                "key": "fear_movement",
                "min": 0,
                "max": 10,
                "labels": {"0": "Not afraid at all", "10": "Extremely afraid"},
                "text": "How afraid are you that moving will hurt or harm your back?",
            }
        ],
        "scoring": {"method": "raw"},
    },
    {
        "key": "fabq_pa",
        "title": "Fear-avoidance beliefs: physical activity",
        "instructions": "Here are some things other people have told us about their pain. "
        "For each one, choose how much physical activities like bending, "
        "lifting, walking or driving affect or would affect your back pain.",
        "citation": "Waddell G, Newton M, Henderson I, Somerville D, Main CJ. A Fear-Avoidance "
        "Beliefs Questionnaire (FABQ) and the role of fear-avoidance beliefs in "
        "chronic low back pain and disability. Pain 1993;52(2):157–168. "
        "Physical-activity subscale: items 2–5, sum 0–24.",
        "licence_note": "Reproduced with citation for clinical use.",
        "items": [
            {"key": "fabq2", "text": "Physical activity makes my pain worse"},
            {"key": "fabq3", "text": "Physical activity might harm my back"},
            {
                "key": "fabq4",
                "text": "I should not do physical activities which (might) make my pain worse",
            },
            {
                "key": "fabq5",
                "text": "I cannot do physical activities which (might) make my pain worse",
            },
        ],
        "item_defaults": {"min": 0, "max": 6, "labels": FABQ_OPTIONS},
        "scoring": {"method": "sum", "max_missing": 0},
    },
    {
        "key": "phq9",
        "title": "PHQ-9",
        "patient_title": "Your mood",
        "instructions": "Over the last 2 weeks, how often have you been bothered by any of "
        "the following problems?",
        "citation": "Kroenke K, Spitzer RL, Williams JB. The PHQ-9. J Gen Intern Med "
        "2001;16(9):606–613. Developed by Drs. Spitzer, Williams, Kroenke and "
        "colleagues, with an educational grant from Pfizer Inc.",
        "licence_note": "No permission required to reproduce, translate, display or distribute.",
        "items": [*_items("phq", PHQ9_ITEMS, 0, 3, PHQ_OPTIONS), PHQ9_DIFFICULTY],
        # Item 9 is the safety item: any answer above 0 starts the safety workflow.
        "safety_item": rules.PHQ9_SAFETY_ITEM,
        "scoring": {
            "method": "sum",
            # The nine scored items; item 10 (difficulty) is asked, never added in.
            "items": [f"phq{n}" for n in range(1, len(PHQ9_ITEMS) + 1)],
            "max_missing": 0,
            "bands": rules.scoring_bands(rules.PHQ9_BANDS),
        },
    },
    {
        "key": "phq2",
        "title": "PHQ-2",
        "patient_title": "Your mood",
        "instructions": "Over the last 2 weeks, how often have you been bothered by any of "
        "the following problems?",
        "citation": "Kroenke K, Spitzer RL, Williams JB. The Patient Health Questionnaire-2. "
        "Med Care 2003;41(11):1284–1292.",
        "licence_note": "No permission required to reproduce.",
        "items": _items("phq", PHQ9_ITEMS[:2], 0, 3, PHQ_OPTIONS),
        "scoring": {
            "method": "sum",
            "max_missing": 0,
            "bands": rules.scoring_bands(rules.PHQ2_BANDS),
        },
    },
    {
        "key": "gad7",
        "title": "GAD-7",
        "patient_title": "Worry and nerves",
        "instructions": "Over the last 2 weeks, how often have you been bothered by the "
        "following problems?",
        "citation": "Spitzer RL, Kroenke K, Williams JB, Löwe B. A brief measure for assessing "
        "generalized anxiety disorder: the GAD-7. Arch Intern Med "
        "2006;166(10):1092–1097.",
        "licence_note": "No permission required to reproduce.",
        "items": _items("gad", GAD7_ITEMS, 0, 3, PHQ_OPTIONS),
        "scoring": {
            "method": "sum",
            "max_missing": 0,
            "bands": rules.scoring_bands(rules.GAD7_BANDS),
        },
    },
    {
        "key": "gad2",
        "title": "GAD-2",
        "patient_title": "Worry and nerves",
        "instructions": "Over the last 2 weeks, how often have you been bothered by the "
        "following problems?",
        "citation": "Kroenke K et al. Anxiety disorders in primary care. Ann Intern Med "
        "2007;146(5):317–325.",
        "licence_note": "No permission required to reproduce.",
        "items": _items("gad", GAD7_ITEMS[:2], 0, 3, PHQ_OPTIONS),
        "scoring": {
            "method": "sum",
            "max_missing": 0,
            "bands": rules.scoring_bands(rules.GAD2_BANDS),
        },
    },
    {
        "key": "causes",
        "title": "Causes of your pain",
        "instructions": "List the three most important causes of your pain, as you see "
        "them now, and choose a category for each.",
        "citation": "Causal item of the Illness Perception Questionnaire, coded as in Ashar "
        "et al., JAMA Netw Open 2023;6(9):e2333846 (mind-brain score 0–3).",
        "licence_note": "Our own wording.",
        "items": [{"key": f"cause{n}", "type": "cause", "text": f"Cause {n}"} for n in (1, 2, 3)],
        "scoring": {"method": "mind_brain"},
    },
]


# Asked every week (issue 15): the PHQ-9's item 9 on its own, in the PHQ-9's wording
# (released without copyright restriction; PRT_NOTES.md), and a yes/no "any new
# symptoms?" red-flag question in our own words.
YES_NO = {"0": "No", "1": "Yes"}
SHIPPED += [
    {
        "key": rules.WEEKLY_SAFETY,
        "title": "One more question about your mood",
        "instructions": "Over the last 2 weeks, how often have you been bothered by this?",
        "citation": "Item 9 of the PHQ-9: Kroenke K, Spitzer RL, Williams JB. The PHQ-9. J Gen "
        "Intern Med 2001;16(9):606–613. Asked every week on its own so that thoughts of "
        "self-harm are never missed between full PHQ-9s.",
        "licence_note": "No permission required to reproduce, translate, display or distribute.",
        "items": [
            {
                "key": rules.PHQ9_SAFETY_ITEM,
                "text": PHQ9_ITEMS[8],
                "min": 0,
                "max": 3,
                "labels": PHQ_OPTIONS,
            }
        ],
        "safety_item": rules.PHQ9_SAFETY_ITEM,
        "scoring": {"method": "raw"},
    },
    {
        "key": rules.NEW_SYMPTOMS,
        "title": "Any new symptoms?",
        # Version 2: one question per group of signs (tracking.rules.WEEKLY_SYMPTOM_ITEMS),
        # so a yes to an emergency sign is told apart. Version 1 asked one question over
        # both (rules.NEW_SYMPTOMS_ITEM); its responses are read by their own version.
        "instructions": "Think about the time since your last check-in. Answer yes if any "
        "of these started or got worse.",
        "citation": "Red flags for back pain (our own wording; see the program's clinical "
        "notes). Asked every week.",
        "licence_note": "Our own wording.",
        "items": [
            {
                "key": rules.NEW_SYMPTOMS_EMERGENCY_ITEM,
                "text": "Since your last check-in, have you had any of these: trouble holding "
                "or passing urine, or controlling your bowels; numbness around your bottom, "
                "between your legs or in your genitals; new problems with sex; numbness, "
                "tingling or weakness in both legs; a leg or foot getting weaker?",
                "min": 0,
                "max": 1,
                "labels": YES_NO,
            },
            {
                "key": rules.NEW_SYMPTOMS_DOCTOR_ITEM,
                "text": "Since your last check-in, have you had any of these: a fever, or "
                "feeling very unwell, with your back pain; weight loss you cannot explain; "
                "pain that is very different from usual, or that never eases, even at night?",
                "min": 0,
                "max": 1,
                "labels": YES_NO,
            },
        ],
        "scoring": {"method": "raw"},
    },
]


# Spanish wording (issue 18): part of each instrument's versioned content; the licence
# note says where it comes from. Scoring is the English definition's, unchanged.
for _definition in SHIPPED:
    _key = _definition["key"]
    _es = {**(shipped_es.ES.get(_key) or {}), **(shipped_es.FABQ_ES if _key == "fabq_pa" else {})}
    _es["citation"] = shipped_es.CITATIONS[_key]
    _es["licence_note"] = shipped_es.LICENCE_NOTES[_key]
    _definition["translations"] = {"es": _es}
    _definition["licence_note"] += shipped_es.NOTES.get(_key, "")


def definition_for(key: str) -> dict:
    for d in SHIPPED:
        if d["key"] == key:
            return d
    raise KeyError(key)
