"""Emergency signs a patient writes in free text (cauda equina), and the rule for them.

The weekly check-in asks about new symptoms (red_flags.WEEKLY_SYMPTOM_ITEMS); a patient
may also *write* them in a diary entry, a note or a message. The free-text scanner
(tracking.safety.scanner.scan) looks, in the same pass as the crisis words, for the
phrases of EMERGENCY_SIGN_WORDS (English) and EMERGENCY_SIGN_WORDS_ES (Spanish): new loss
of bladder or bowel control, not able to pee, wetting oneself, incontinence; numbness
in the saddle, the groin, between the legs or the genitals; both legs numb or weak; a
leg giving way, or foot drop getting worse. Only the signs of cauda equina
(red_flags.SYMPTOMS_EMERGENCY): a hit raises the URGENT `emergency_symptoms` alert and
the patient sees the check-in's emergency guidance at once.

Phrases are in the scanner's normal form (lower case, no accents, short forms spelt out:
"can't" is "can not"), matched as whole words with the crisis words' machinery. The rule
(the one place it is written):

* NOT_EMERGENCY_SIGN: endings that spare a phrase when they come right after it, as
  crisis_words.NOT_CRISIS does. Numbness the patient ties to a posture ("numb between my
  legs after sitting on the toilet too long", "on the bike") is spared: pressure
  numbness that goes when they move is common and harmless. Wetting oneself *laughing*
  is an idiom. Any other word in between (a time, "this morning") and it is not spared.
  (Owner to confirm: sparing posture numbness is a judgement; see docs/red-flags.md.)
* SIGN_NEGATIONS: a phrase is spared only when the negation negates the symptom itself:
  right before the phrase, or with at most SIGN_NEGATION_GAP words between that are all
  SIGN_NEGATION_FILLERS ("have", "had", "any", "tengo"…): "no numbness between my
  legs", "I have not had any numbness between my legs", "I have not lost control of my
  bladder", "sin pérdida de control de la vejiga", "my doctor told me to watch for loss
  of bladder control". Any other word between and it is found ("without *warning* I
  lost control of my bladder", "no *reason* my legs are weak"). Never spared, when in
  doubt (a miss is worse than a false alarm):
  - after SIGN_NOT_NEGATIONS, adverbial phrases that start with a negation word but say
    how or why it happened: "without warning", "for no reason", "never happened
    before", "sin querer", "sin darme cuenta", "sin avisar", "sin motivo";
  - a phrase starting with its subject (SIGN_SUBJECT_STARTS: "my legs…", "las dos
    piernas…"): a negation of it comes after the subject, so "oh no my legs gave way"
    is found.
* A plain "bladder", "bowel" or "legs" is never a phrase: "my doctor checked my bladder"
  or "no bladder problems" finds nothing.
"""

from __future__ import annotations

# ---------------------------------------------------------------- English
_CONTROL_EN = (
    "can not control", "could not control", "unable to control", "no control of",
    "no control over", "lost control of", "losing control of", "lose control of",
    "loss of control of", "trouble controlling", "can not hold", "not able to control",
)  # fmt: skip
_BLADDER_EN = (
    "my bladder", "my bowels", "my bowel", "my pee", "my wee", "my urine", "my poo",
    "the bladder", "the bowels",
)  # fmt: skip
_PEE_EN = (
    "pee", "wee", "urinate", "pass urine", "pass water", "empty my bladder", "start peeing",
)  # fmt: skip
_WET_EN = (
    "wet myself", "wetting myself", "wetted myself", "peed myself", "peeing myself",
    "pissed myself", "wet my pants", "wet the bed", "pooed myself", "soiled myself",
    "messed myself",
)  # fmt: skip
_NUMB_EN = (
    "numb", "numbness", "no feeling", "no sensation", "lost feeling", "lost sensation",
    "loss of feeling", "loss of sensation", "can not feel anything", "can not feel",
    "could not feel anything", "pins and needles", "dead",
)  # fmt: skip
_SADDLE_EN = (
    "between my legs", "in my groin", "in the groin", "around my groin", "in my crotch",
    "in my genitals", "in my private parts", "down there", "in the saddle area",
    "around my bottom", "around my back passage", "around my anus", "in my bottom",
)  # fmt: skip
_SADDLE_NOUNS_EN = (
    "groin", "crotch", "genitals", "private parts", "saddle area", "bottom", "vagina",
    "penis", "anus",
)  # fmt: skip
_IS_NUMB_EN = (
    "is numb", "are numb", "feels numb", "feel numb", "went numb", "has gone numb",
    "have gone numb", "is going numb", "are going numb", "is dead", "feels dead",
)  # fmt: skip
_LEGS_EN = ("both legs", "both my legs", "both of my legs", "my legs")
_LEGS_STATE_EN = (
    "are numb", "feel numb", "went numb", "have gone numb", "are going numb", "are weak",
    "feel weak", "are getting weaker", "gave way", "give way", "keep giving way",
    "gave out", "keep giving out", "have pins and needles", "feel dead", "went dead",
)  # fmt: skip
_LEG_EN = (
    "my leg gave way", "my leg keeps giving way", "my leg gives way", "my leg is giving way",
    "my leg gave out", "my leg keeps giving out", "leg giving way", "leg keeps giving way",
    "my leg is getting weaker", "my leg getting weaker", "leg is getting weaker",
    "foot drop is getting worse", "foot drop getting worse", "foot drop is worse",
    "foot drop has got worse", "foot drop has gotten worse", "worsening foot drop",
    "new foot drop", "my foot is dragging", "my foot keeps dragging", "dragging my foot",
    "can not lift my foot", "can not lift my toes", "my foot is flopping",
)  # fmt: skip

_NUMB_SADDLE_EN = tuple(f"{n} {p}" for n in _NUMB_EN for p in _SADDLE_EN if n != "dead")

EMERGENCY_SIGN_WORDS: tuple[str, ...] = (
    *(f"{c} {b}" for c in _CONTROL_EN for b in _BLADDER_EN),
    "lost bladder control", "loss of bladder control", "no bladder control",
    "lost bowel control", "loss of bowel control", "no bowel control",
    "incontinence", "incontinent",
    *(f"{c} {p}" for c in ("can not", "could not", "unable to", "have not been able to",
                           "not able to", "can not even", "could not even")
      for p in _PEE_EN),
    *_WET_EN,
    *_NUMB_SADDLE_EN,
    *(f"numb {n}" for n in _SADDLE_NOUNS_EN),
    *(f"{n} {s}" for n in _SADDLE_NOUNS_EN for s in _IS_NUMB_EN),
    "saddle numbness", "saddle anaesthesia", "saddle anesthesia",
    "can not feel the toilet paper", "can not feel when i wipe", "can not feel myself wipe",
    "can not feel when i pee",
    *(f"{legs} {s}" for legs in _LEGS_EN for s in _LEGS_STATE_EN),
    *(f"{w} in both legs" for w in ("numb", "numbness", "weak", "weakness", "pins and needles")),
    *(f"{w} in both my legs" for w in ("numb", "numbness", "weak", "weakness")),
    "can not feel my legs", "can not feel either leg", "can not feel both legs",
    *_LEG_EN,
)  # fmt: skip
"""English emergency-sign phrases, in the scanner's normal form."""

# ---------------------------------------------------------------- Spanish
_CONTROL_ES = (
    "no controlo", "no puedo controlar", "no consigo controlar", "perdi el control de",
    "he perdido el control de", "pierdo el control de", "perdida de control de",
    "perdida del control de", "sin control de",
)  # fmt: skip
_BLADDER_ES = (
    "la vejiga", "el pis", "la orina", "los esfinteres", "el esfinter", "el intestino",
    "las heces", "el vientre",
)  # fmt: skip
_PEE_ES = ("orinar", "hacer pis", "mear", "vaciar la vejiga")
_WET_ES = (
    "me hago pis encima", "me he hecho pis encima", "me hice pis encima", "me orino encima",
    "me he orinado encima", "me orine encima", "me meo encima", "me he meado encima",
    "me hago caca encima", "me he hecho caca encima", "me cago encima",
    "se me escapa el pis", "se me escapa la orina", "se me escapan las heces",
    "incontinencia", "incontinente",
)  # fmt: skip
_NUMB_ES = (
    "no siento nada", "no siento", "no tengo sensibilidad", "perdi la sensibilidad",
    "he perdido la sensibilidad", "sin sensibilidad", "perdida de sensibilidad",
    "entumecimiento", "adormecimiento", "hormigueo", "se me duerme", "se me ha dormido",
    "se me durmio", "tengo dormida", "tengo dormido",
)  # fmt: skip
_SADDLE_ES = (
    "entre las piernas", "en la entrepierna", "la entrepierna", "en los genitales",
    "los genitales", "en la zona genital", "la zona genital", "en las partes intimas",
    "las partes intimas", "en la zona de la silla de montar", "alrededor del ano",
    "en el perine", "el perine", "en la ingle", "la ingle", "ahi abajo",
)  # fmt: skip
_SADDLE_STATE_ES = ("dormida", "adormecida", "entumecida", "insensible", "dormidos")
_LEGS_ES = ("ambas piernas", "las dos piernas")
_LEGS_STATE_ES = (
    "se me duermen", "se me han dormido", "se me durmieron", "dormidas", "entumecidas",
    "adormecidas", "debiles", "sin fuerza", "se me doblan", "me fallan", "no me responden",
    "cada vez mas debiles",
)  # fmt: skip
EMERGENCY_SIGN_WORDS_ES: tuple[str, ...] = (
    *(f"{c} {b}" for c in _CONTROL_ES for b in _BLADDER_ES),
    *(f"{c} {p}" for c in ("no puedo", "no consigo", "no soy capaz de", "no puedo ni",
                           "no consigo ni", "no soy capaz ni de") for p in _PEE_ES),
    *_WET_ES,
    *(f"{n} {p}" for n in _NUMB_ES for p in _SADDLE_ES),
    *(f"{p} {s}" for p in ("entrepierna", "zona genital", "partes intimas", "genitales")
      for s in _SADDLE_STATE_ES),
    *(f"{legs} {s}" for legs in _LEGS_ES for s in _LEGS_STATE_ES),
    *(f"{s} {legs}" for legs in _LEGS_ES for s in _LEGS_STATE_ES
      if s.startswith(("se ", "me ", "no "))),
    *(f"{w} en {legs}" for legs in _LEGS_ES for w in ("debilidad", "entumecimiento", "hormigueo")),
    "no siento las piernas", "no siento ninguna pierna", "las piernas se me duermen",
    "se me duermen las piernas",
    "se me dobla la pierna", "la pierna me falla", "me falla la pierna",
    "la pierna no me responde", "la pierna cada vez mas debil",
    "la pierna esta cada vez mas debil", "arrastro el pie", "no puedo levantar el pie",
    "pie caido empeora", "pie caido esta peor", "el pie caido va a peor",
)  # fmt: skip
"""Spanish emergency-sign phrases, in the scanner's normal form (no accents)."""

# ---------------------------------------------------------------- the guards
_POSTURE_EN = (
    "after sitting", "from sitting", "when i sit", "when sitting", "while sitting",
    "on the toilet", "sitting on the toilet", "after cycling", "from cycling",
    "on the bike", "after a bike ride", "from crossing my legs", "when i cross my legs",
)  # fmt: skip
_POSTURE_ES = (
    "al estar sentado", "al estar sentada", "de estar sentado", "de estar sentada",
    "al sentarme", "en el vater", "en el inodoro", "en el bano", "en la bici",
    "en la bicicleta", "de montar en bici", "al cruzar las piernas", "de cruzar las piernas",
)  # fmt: skip
_LAUGHING = ("laughing", "with laughter", "de risa", "de la risa", "riendome")

NOT_EMERGENCY_SIGN: dict[str, tuple[str, ...]] = {
    **{p: _POSTURE_EN for p in _NUMB_SADDLE_EN},
    **{f"{legs} {s}": _POSTURE_EN for legs in _LEGS_EN for s in _LEGS_STATE_EN if "numb" in s},
    **{f"{n} {p}": _POSTURE_ES for n in _NUMB_ES for p in _SADDLE_ES},
    **{w: _LAUGHING for w in (*_WET_EN, "me meo encima", "me hago pis encima")},
}
"""Endings that spare the phrase they follow right after (crisis_words.NOT_CRISIS's way)."""

SIGN_NEGATIONS: tuple[str, ...] = (
    "no", "not", "never", "without", "nor", "neither", "none", "denies",
    "watch for", "look out for", "signs of", "signs like", "such as", "in case of",
    "what if", "what if i", "in case i", "sin", "nunca", "ni", "tampoco", "ningun",
    "ninguna", "por si", "vigilar", "signos de", "sintomas como",
)  # fmt: skip
"""Words that spare an emergency-sign phrase right after them, or with only
SIGN_NEGATION_FILLERS words between (at most SIGN_NEGATION_GAP of them)."""
SIGN_NEGATION_GAP = 2
"""At most this many SIGN_NEGATION_FILLERS words between a negation and the phrase."""
SIGN_NEGATION_FILLERS: tuple[str, ...] = (
    "have", "has", "had", "been", "any", "ever", "felt", "noticed", "got", "really",
    "tengo", "tiene", "he", "ha", "hay", "notado", "sentido", "tenido",
)  # fmt: skip
"""The only words that may stand between a negation and the phrase it spares: the
ones that carry a negation onto its symptom ("have not had any numbness"). Any other
word ("without *warning* I lost control", "no *reason* my legs are weak") and the
negation negates something else: the phrase is found."""
SIGN_NOT_NEGATIONS: tuple[str, ...] = (
    "without warning", "without any warning", "without realising", "without realizing",
    "without noticing", "without meaning to", "without thinking", "without reason",
    "without any reason", "no reason", "for no reason", "no idea why", "no clue why",
    "never happened before", "never had this before", "not sure why", "no warning",
    "sin querer", "sin darme cuenta", "sin avisar", "sin motivo", "sin razon",
    "sin previo aviso", "sin saber por que", "sin mas", "nunca me habia pasado",
    "no se por que", "no se como",
)  # fmt: skip
"""Adverbial phrases that start with a negation word but never spare: they say how
or why it happened, not that it did not ("sin querer me hice pis encima")."""
SIGN_SUBJECT_STARTS: tuple[str, ...] = ("my", "both", "i", "las dos", "ambas", "la pierna")
"""A phrase starting with its subject ("my legs gave way", "las dos piernas se me
doblan") is never spared by a negation before that subject: a negation of the symptom
comes after it ("my legs did not give way"), so "no my legs keep giving way" is found."""


def emergency_sign_words() -> tuple[str, ...]:
    """Every emergency-sign phrase the scanner looks for, English and Spanish."""
    return (*EMERGENCY_SIGN_WORDS, *EMERGENCY_SIGN_WORDS_ES)
