"""Spanish wording of the shipped instruments (issue 18), by instrument key.

Each entry becomes the instrument's ``translations["es"]`` (tracking.instruments.shipped),
so it is part of the instrument's versioned content: changing a word here makes a new
version, like the English. Only wording lives here (title, instructions, each item's
text, answer labels and hint): keys, ranges and scoring are the English definition's,
so the same answers score the same in either language.

Sources (docs/questionnaires-es.md has the details):

- PHQ-9 (items 1–10), PHQ-2, GAD-7, GAD-2 and the weekly PHQ-9 item 9: the Spanish
  versions for the USA of Pfizer's PHQ screeners (phqscreeners.com), released, like the
  English, with no permission needed to reproduce, translate, display or distribute.
  We could not open Pfizer's own files from here; the PHQ-9 wording was cross-checked
  against several independent reproductions of it (they agree word for word on items
  1–7 and 9 and the answer labels), the GAD-7 wording less completely (reproductions
  differ slightly on items 2, 3 and 7). A clinician should compare both with the
  official files before relying on them; see the licence notes.
- Pain, worst pain, fear of movement, new symptoms and causes: translated by the
  painapp team (our own wording, like the English).
- FABQ: no Spanish questions here. The validated Spanish FABQ (Kovacs et al., Spine
  2006) has no terms we found that allow reuse in software, so Spanish-speaking patients
  are not asked it (registry.asked_of); only its title and notes are in Spanish, for
  Spanish-speaking staff. A practice with a licence can add its own version.
- Citations: the references (authors, article titles, journals) stay as published;
  the words around them, and the PHQ's credit line, are ours in Spanish.
"""

from __future__ import annotations

NRS_LABELS_ES = {"0": "Nada de dolor", "10": "El peor dolor que se pueda imaginar"}
PHQ_OPTIONS_ES = {
    "0": "Ningún día",
    "1": "Varios días",
    "2": "Más de la mitad de los días",
    "3": "Casi todos los días",
}
PHQ_INSTRUCTIONS_ES = (
    "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
    "siguientes problemas?"
)
PHQ9_ITEMS_ES = [
    "Poco interés o placer en hacer cosas",
    "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    "Se ha sentido cansado(a) o con poca energía",
    "Sin apetito o ha comido en exceso",
    "Se ha sentido mal con usted mismo(a) – o que es un fracaso o que ha quedado mal con "
    "usted mismo(a) o con su familia",
    "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el "
    "periódico o ver la televisión",
    "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo "
    "contrario – muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal",
    "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
]
PHQ9_DIFFICULTY_ES = {
    "text": "Si marcó cualquiera de los problemas, ¿qué tanta dificultad le han dado estos "
    "problemas para hacer su trabajo, encargarse de las tareas del hogar, o llevarse bien "
    "con otras personas?",
    "labels": {
        "0": "No ha sido difícil",
        "1": "Un poco difícil",
        "2": "Muy difícil",
        "3": "Extremadamente difícil",
    },
    # Our own words, like the English hint.
    "hint": "Conteste esta pregunta si eligió algo distinto de “Ningún día” arriba. "
    "No se suma al puntaje. Puede dejarla en blanco.",
}
GAD7_ITEMS_ES = [
    "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta",
    "No ha sido capaz de parar o controlar su preocupación",
    "Se ha preocupado demasiado por motivos diferentes",
    "Ha tenido dificultad para relajarse",
    "Se ha sentido tan inquieto(a) que no ha podido quedarse quieto(a)",
    "Se ha molestado o irritado fácilmente",
    "Ha tenido miedo de que algo terrible fuera a pasar",
]

PHQ_SOURCE = (
    " Spanish: the Spanish version for the USA of the PHQ screeners (Pfizer Inc., "
    "phqscreeners.com), released under the same terms as the English."
)
PHQ_UNVERIFIED = (
    " The Spanish wording was checked against independent reproductions, not against "
    "Pfizer's own file; compare it with the official file before clinical use."
)
TEAM = " Spanish: translated by the painapp team."


def _phq(prefix: str, texts: list[str]) -> dict:
    return {f"{prefix}{n}": {"text": t, "labels": PHQ_OPTIONS_ES} for n, t in enumerate(texts, 1)}


ES: dict[str, dict] = {
    "pain_avg": {
        "title": "Dolor promedio",
        "instructions": "Piense en los últimos 7 días.",
        "items": {
            "pain_avg": {
                "text": "En promedio, ¿qué tan fuerte fue su dolor de espalda en los "
                "últimos 7 días?",
                "labels": NRS_LABELS_ES,
            }
        },
    },
    "pain_worst": {
        "title": "Peor dolor",
        "instructions": "Piense en los últimos 7 días.",
        "items": {
            "pain_worst": {
                "text": "En su peor momento, ¿qué tan fuerte fue su dolor de espalda en los "
                "últimos 7 días?",
                "labels": NRS_LABELS_ES,
            }
        },
    },
    "fear_movement": {
        "title": "Miedo a moverse",
        "instructions": "Piense en los últimos 7 días.",
        "items": {
            "fear_movement": {
                "text": "¿Qué tanto miedo tiene de que moverse le cause dolor o le haga daño "
                "a la espalda?",
                "labels": {"0": "Nada de miedo", "10": "Muchísimo miedo"},
            }
        },
    },
    "phq9": {
        "title": "PHQ-9",
        "patient_title": "Su estado de ánimo",
        "instructions": PHQ_INSTRUCTIONS_ES,
        "items": {**_phq("phq", PHQ9_ITEMS_ES), "phq10": PHQ9_DIFFICULTY_ES},
    },
    "phq2": {
        "title": "PHQ-2",
        "patient_title": "Su estado de ánimo",
        "instructions": PHQ_INSTRUCTIONS_ES,
        "items": _phq("phq", PHQ9_ITEMS_ES[:2]),
    },
    "gad7": {
        "title": "GAD-7",
        "patient_title": "Preocupación y nervios",
        "instructions": PHQ_INSTRUCTIONS_ES,
        "items": _phq("gad", GAD7_ITEMS_ES),
    },
    "gad2": {
        "title": "GAD-2",
        "patient_title": "Preocupación y nervios",
        "instructions": PHQ_INSTRUCTIONS_ES,
        "items": _phq("gad", GAD7_ITEMS_ES[:2]),
    },
    "causes": {
        "title": "Las causas de su dolor",
        "instructions": "Escriba las tres causas más importantes de su dolor, según lo que "
        "usted piensa ahora, y elija una categoría para cada una.",
        "items": {f"cause{n}": {"text": f"Causa {n}"} for n in (1, 2, 3)},
    },
    "phq9_item9": {
        "title": "Una pregunta más sobre su estado de ánimo",
        "instructions": "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias "
        "debido a este problema?",
        "items": {"phq9": {"text": PHQ9_ITEMS_ES[8], "labels": PHQ_OPTIONS_ES}},
    },
    "new_symptoms": {
        "title": "¿Algún síntoma nuevo?",
        "instructions": "Piense en el tiempo desde su último control semanal. Responda «Sí» "
        "si alguno de estos problemas empezó o empeoró.",
        "items": {
            "emergency_signs": {
                "text": "Desde su último control semanal, ¿ha tenido alguno de estos "
                "problemas: dificultad para retener o soltar la orina, o para controlar el "
                "intestino; adormecimiento alrededor del trasero, entre las piernas o en los "
                "genitales; problemas nuevos con el sexo; adormecimiento, hormigueo o "
                "debilidad en las dos piernas; una pierna o un pie que se debilita?",
                "labels": {"0": "No", "1": "Sí"},
            },
            "doctor_signs": {
                "text": "Desde su último control semanal, ¿ha tenido alguno de estos "
                "problemas: fiebre, o sentirse muy mal, junto con el dolor de espalda; "
                "pérdida de peso sin explicación; un dolor muy distinto al de siempre, o que "
                "nunca se calma, ni siquiera de noche?",
                "labels": {"0": "No", "1": "Sí"},
            },
        },
    },
}

# Appended to each instrument's licence note: where its Spanish comes from.
# The citation shown in Spanish: each reference as published, our words around it.
PHQ9_REF = "Kroenke K, Spitzer RL, Williams JB. The PHQ-9. J Gen Intern Med 2001;16(9):606–613."
CITATIONS: dict[str, str] = {
    "pain_avg": "Escala numérica; el resultado principal de Ashar et al., JAMA Psychiatry "
    "2022 (0–1 = sin dolor o casi sin dolor).",
    "pain_worst": "Escala numérica.",
    "fear_movement": "Escala numérica de una sola pregunta (pregunta propia).",
    # The credit line as the Spanish PHQ-9 prints it (checked against a reproduction of
    # Pfizer's Spanish file, docs/questionnaires-es.md).
    "phq9": PHQ9_REF + " Elaborado por los doctores Robert L. Spitzer, Janet B.W. Williams, "
    "Kurt Kroenke y colegas, mediante una subvención educativa otorgada por Pfizer Inc.",
    "phq2": "Kroenke K, Spitzer RL, Williams JB. The Patient Health Questionnaire-2. "
    "Med Care 2003;41(11):1284–1292.",
    "gad7": "Spitzer RL, Kroenke K, Williams JB, Löwe B. A brief measure for assessing "
    "generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166(10):1092–1097.",
    "gad2": "Kroenke K et al. Anxiety disorders in primary care. Ann Intern Med "
    "2007;146(5):317–325.",
    "causes": "Pregunta de causas del Illness Perception Questionnaire, codificada como en "
    "Ashar et al., JAMA Netw Open 2023;6(9):e2333846 (puntuación mente-cerebro 0–3).",
    "phq9_item9": "Pregunta 9 del PHQ-9: " + PHQ9_REF + " Se pregunta cada semana por sí "
    "sola, para que los pensamientos de hacerse daño nunca pasen sin verse entre un PHQ-9 "
    "completo y el siguiente.",
    "new_symptoms": "Señales de alarma del dolor de espalda (redacción propia; vea las notas "
    "clínicas del programa). Se pregunta cada semana.",
    "fabq_pa": "Waddell G, Newton M, Henderson I, Somerville D, Main CJ. A Fear-Avoidance "
    "Beliefs Questionnaire (FABQ) and the role of fear-avoidance beliefs in chronic low "
    "back pain and disability. Pain 1993;52(2):157–168. Subescala de actividad física: "
    "preguntas 2 a 5, suma de 0 a 24.",
}
# The licence note shown in Spanish.
_TEAM_ES = "Redacción propia. Español: traducido por el equipo de painapp."
_PHQ_ES = (
    " Español: la versión en español para EE. UU. de los PHQ Screeners (Pfizer Inc., "
    "phqscreeners.com), publicada con los mismos términos que la inglesa. La redacción en "
    "español se comparó con copias independientes, no con el archivo de Pfizer; compárela "
    "con el archivo oficial antes del uso clínico."
)
LICENCE_NOTES: dict[str, str] = {
    "pain_avg": _TEAM_ES,
    "pain_worst": _TEAM_ES,
    "fear_movement": _TEAM_ES,
    "causes": _TEAM_ES,
    "new_symptoms": _TEAM_ES,
    "phq9": "No se requiere permiso para reproducir, traducir, presentar o distribuir." + _PHQ_ES,
    "phq9_item9": "No se requiere permiso para reproducir, traducir, presentar o distribuir."
    + _PHQ_ES,
    "phq2": "No se requiere permiso para reproducir." + _PHQ_ES,
    "gad7": "No se requiere permiso para reproducir." + _PHQ_ES,
    "gad2": "No se requiere permiso para reproducir." + _PHQ_ES,
    "fabq_pa": "Se reproduce con su cita para uso clínico. Sin versión en español: el FABQ "
    "validado en español (Kovacs FM et al. Spine 2006;31(1):104–110) no tiene términos que "
    "permitan usarlo en software, que sepamos; por eso no se les pregunta a los pacientes "
    "que hablan español. Un consultorio con licencia puede agregar su propia versión "
    "(docs/questionnaires-es.md).",
}
# Staff see the FABQ's name in Spanish; it has no Spanish questions, so it is not a
# version a patient can be asked in (registry.has_version_in).
FABQ_ES = {"title": "Creencias de miedo y evitación: actividad física (FABQ)"}

NOTES: dict[str, str] = {
    "pain_avg": TEAM,
    "pain_worst": TEAM,
    "fear_movement": TEAM,
    "causes": TEAM,
    "new_symptoms": TEAM,
    "phq9": PHQ_SOURCE + PHQ_UNVERIFIED,
    "phq2": PHQ_SOURCE + PHQ_UNVERIFIED,
    "gad7": PHQ_SOURCE + PHQ_UNVERIFIED,
    "gad2": PHQ_SOURCE + PHQ_UNVERIFIED,
    "phq9_item9": PHQ_SOURCE + PHQ_UNVERIFIED,
    "fabq_pa": " No Spanish version: the validated Spanish FABQ (Kovacs FM et al. Spine "
    "2006;31(1):104–110) has no terms we found that allow its reuse in software, so "
    "Spanish-speaking patients are not asked it; a practice with a licence can add its "
    "own version (docs/questionnaires-es.md).",
}
