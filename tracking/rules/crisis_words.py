"""The default crisis words and where the weekly safety items go."""

from __future__ import annotations

from collections.abc import Sequence

from tracking.rules.measures import PHQ2, PHQ9
from tracking.rules.screening import NEW_SYMPTOMS, WEEKLY_SAFETY

# ====================================================================== crisis words (issue 15)
DEFAULT_CRISIS_WORDS: tuple[str, ...] = (
    # Wishing to die / not to be alive
    "want to die",
    "wanna die",
    "wish i was dead",
    "wish i were dead",
    "better off dead",
    "better off without me",
    "dont want to be here",
    "dont want to be alive",
    "dont want to live",
    "dont want to wake up",
    "dont want to exist",
    "rather be dead",
    "rather die",
    "rather not be alive",
    "rather not exist",
    "want to be dead",
    "wish i could die",
    "wish i could just die",
    "wish i would die",
    "wish i didnt exist",
    "wish i was never born",
    "wish i had never been born",
    "want to stop existing",
    "want to disappear",
    "wanna disappear",
    "wish i could disappear",
    "disappear forever",
    "sleep and never wake up",
    "sleep and not wake up",
    "asleep and never wake up",
    "asleep and not wake up",
    "hope i never wake up",
    "wish i would never wake up",
    "want to sleep forever",
    "wish i could sleep forever",
    "no reason to live",
    "nothing to live for",
    "cant go on",
    "not worth living",
    "life is not worth",
    "end my life",
    "end it all",
    "ending it all",
    "ending it",
    "want to end it",
    "take my own life",
    "take my life",
    "kill myself",
    "killing myself",
    "kill my self",
    "killing my self",
    "suicide",
    "suicidal",
    "hurt myself",
    "hurting myself",
    "harm myself",
    "harming myself",
    "self harm",
    "cut myself",
    "cutting myself",
    "overdose",
    "hang myself",
    "unalive",
)
"""Phrases in a patient's free text that start the safety workflow like PHQ-9 item 9
(PRT_NOTES.md, Safety): each practice starts with this list (PracticeSettings
.crisis_words) and may edit it. Written in the scanner's normal form (lower case, no
accents, apostrophes dropped, other punctuation and hyphens as spaces: "don't" is
"dont", "kill my-self" is "kill my self"), matched as whole words.

Reviewed choices: phrases about the self only. "this pain is killing me", "I could
die of embarrassment", "killing time", "dying to try it" do not match: a chronic-pain
patient says these every week, and an alert for each would teach the clinic to
ignore the alert. "ending it" does match (as in "thinking about ending it"), accepting
a rare false alarm ("ending it early") because a missed one costs more; a bare "end
it" does not ("I'll end it there" is common in practice notes).

Wishing to sleep and not wake up, to disappear or not to exist: only in
those whole phrases. A bare "never wake up" or "not wake up" does not match: "I never
wake up rested" and "I did not wake up at night" are everyday sleep notes; nor does
"disappear" ("I want the pain to disappear"). "rather die" and "rather be dead" do
match, accepting the rare "I'd rather die than go to the gym": said in earnest it
needs a call. "stop living" is not listed ("I stopped living my life around the pain"
is a common, hopeful PRT note); "want to stop existing" is.
"""


DEFAULT_CRISIS_WORDS_ES: tuple[str, ...] = (
    # Querer morir / no querer vivir
    "quiero morir",
    "quiero morirme",
    "me quiero morir",
    "deseo morir",
    "deseo morirme",
    "ojala me muera",
    "ojala estuviera muerto",
    "ojala estuviera muerta",
    "mejor muerto",
    "mejor muerta",
    "mejor sin mi",
    "no quiero vivir",
    "no quiero seguir viviendo",
    "no puedo seguir viviendo",
    "no quiero estar vivo",
    "no quiero estar viva",
    "no quiero despertar",
    "no quiero despertarme",
    "quisiera morir",
    "quisiera morirme",
    "me quisiera morir",
    "quiero estar muerto",
    "quiero estar muerta",
    "quisiera estar muerto",
    "quisiera estar muerta",
    "prefiero morir",
    "prefiero morirme",
    "prefiero estar muerto",
    "prefiero estar muerta",
    "preferiria morir",
    "preferiria morirme",
    "preferiria estar muerto",
    "preferiria estar muerta",
    "desearia morir",
    "desearia morirme",
    "desearia estar muerto",
    "desearia estar muerta",
    "me gustaria morir",
    "me gustaria morirme",
    "me gustaria estar muerto",
    "me gustaria estar muerta",
    "ojala me muriera",
    "ojala pudiera morirme",
    "ganas de morir",
    "ganas de morirme",
    "mejor me muero",
    "no quiero estar aqui",
    "no quiero estar aca",
    "no quiero estar en este mundo",
    "no quiero existir",
    "no quiero seguir existiendo",
    "quisiera no existir",
    "prefiero no existir",
    "preferiria no existir",
    "ojala no existiera",
    "dejar de existir",
    "dejar de vivir",
    "ojala no hubiera nacido",
    "quisiera no haber nacido",
    # Dormir y no despertar, desaparecer
    "dormir y no despertar",
    "dormir y no despertarme",
    "dormirme y no despertar",
    "dormirme y no despertarme",
    "dormir y ya no despertar",
    "dormirme y ya no despertar",
    "dormir para siempre",
    "dormirme para siempre",
    "no volver a despertar",
    "no volver a despertarme",
    "no despertar nunca mas",
    "no despertarme nunca mas",
    "quiero desaparecer",
    "me quiero desaparecer",
    "quisiera desaparecer",
    "desearia desaparecer",
    "me gustaria desaparecer",
    "ojala pudiera desaparecer",
    "desaparecer para siempre",
    "no tengo razon para vivir",
    "no tengo por que vivir",
    "no vale la pena vivir",
    # Quitarse la vida
    "quitarme la vida",
    "quitar la vida",
    "quitarme de en medio",
    "quitarme del medio",
    "mejor me mato",
    "acabar con mi vida",
    "terminar con mi vida",
    "poner fin a mi vida",
    "acabar con todo",
    "terminar con todo",
    "matarme",
    "me voy a matar",
    "me quiero matar",
    "suicidarme",
    "me quiero suicidar",
    "me voy a suicidar",
    "suicidio",
    "suicida",
    "suicidas",
    "ahorcarme",
    "sobredosis",
    "cortarme las venas",
    # Hacerse daño a propósito
    "autolesion",
    "autolesiones",
    "autolesionarme",
    "hacerme dano a proposito",
    "lastimarme a proposito",
)
"""The Spanish crisis words (issue 18): the scanner looks for these in every patient's
text together with the practice's list (or DEFAULT_CRISIS_WORDS), whatever the
patient's language (people mix languages). Same normal form as the English list: no
accents ("daño" is "dano", "razón" is "razon"), lower case, whole words.

Reviewed choices, as for the English list: phrases about the self only. "este dolor me
está matando", "me muero de dolor", "me muero de ganas", "matar el tiempo" do not
match. A bare "hacerme daño" / "lastimarme" does not match: in this program patients
write "tengo miedo de hacerme daño en la espalda" every week (fear of movement);
only "a propósito" does. A bare "cortarme" does not match ("cortarme el pelo"). "no
quiero morir" does match (it holds "quiero morir"): talk of dying is worth a look.

Added after a Spanish-speaking tester's review: wishing to die or be dead
(quisiera / quiero / prefiero / preferiría / desearía / me gustaría + morir, morirme,
estar muerto, estar muerta), "ya no quiero estar aquí", not wanting to exist, "dormir(me)
y no despertar", "no volver a despertar", "quitar la vida", "quitarme de en medio",
"mejor me mato", "quiero desaparecer". Not listed, for the false alarms they would
bring every week: a bare "me mato" ("me mato trabajando"), "me muero" ("me muero de
dolor"), "estar muerto/a" alone ("estoy muerta de cansancio"), "ya no puedo más"
("ya no puedo más con este dolor"), a bare "no despertar" / "no me desperté" (sleep
notes), a bare "desaparecer" ("quiero que el dolor desaparezca"). Accepted rare false
alarms, as "ending it" in English: "no quiero dejar de vivir mi vida por el dolor"
(holds "dejar de vivir"), "quiero desaparecer el dolor" (holds "quiero desaparecer"),
"prefiero morir de pie", "para no volver a despertarme a las tres" (holds "no volver a
despertarme"): each needs only a short call to clear, a missed one costs far more.
"""


def default_crisis_words() -> list[str]:
    """PracticeSettings.crisis_words' default (a fresh list for each practice)."""
    return list(DEFAULT_CRISIS_WORDS)


def weekly_keys_with_safety(keys: Sequence[str]) -> list[str]:
    """A weekly check-in's instruments with the two every week must ask, whatever the
    program's config says: the self-harm item (WEEKLY_SAFETY, right after the PHQ-2 when
    there is one; not needed when the full PHQ-9 is asked) and "any new symptoms?"
    (NEW_SYMPTOMS, last). Read by the check-in schedule."""
    out = list(keys)
    if PHQ9 not in out and WEEKLY_SAFETY not in out:
        at = out.index(PHQ2) + 1 if PHQ2 in out else len(out)
        out.insert(at, WEEKLY_SAFETY)
    if NEW_SYMPTOMS not in out:
        out.append(NEW_SYMPTOMS)
    return out
