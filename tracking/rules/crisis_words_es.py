"""The Spanish crisis words: checked in every patient's text with the English list
(tracking.rules.crisis_words), whatever the patient's language, since people mix them.
Same normal form: lower case, no accents ("daño" is "dano"), whole words."""

from __future__ import annotations

_FALL_VERBS_ES = (
    "tirarme", "me voy a tirar", "me quiero tirar", "voy a tirarme", "quiero tirarme",
    "aventarme", "me voy a aventar", "me quiero aventar",
    "arrojarme", "me voy a arrojar", "me quiero arrojar",
)  # fmt: skip
_FALL_PLACES_ES = (
    "del puente", "de un puente", "desde el puente", "desde un puente",
    "del edificio", "de un edificio", "desde el edificio", "desde un edificio",
    "por la ventana", "del balcon", "desde el balcon", "de la azotea", "desde la azotea",
    "del techo", "a las vias", "al tren", "bajo el tren", "bajo un tren",
    "frente al tren", "frente a un tren", "a los carros", "a los coches",
)  # fmt: skip

# Pastillas guardadas para tomarlas juntas ("tengo pastillas guardadas").
_PILLS_ES = ("pastillas", "mis pastillas", "tabletas", "somniferos", "calmantes")
_PILLS_KEPT_ES = (
    "guardadas", "ahorradas", "juntadas", "acumuladas", "escondidas",
    "guardados", "ahorrados", "juntados", "acumulados", "escondidos",
)  # fmt: skip
_PILLS_KEEPING_ES = (
    "he guardado", "guardando", "he juntado", "juntando", "junte", "he acumulado",
    "acumulando", "acumule", "he ahorrado", "ahorrando", "he escondido",
)  # fmt: skip

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
    "no vale la pena seguir viviendo",
    "la vida no vale la pena",
    "mi vida no vale la pena",
    "no le veo sentido a la vida",
    "no le encuentro sentido a la vida",
    "no le veo sentido a vivir",
    "no le encuentro sentido a vivir",
    "no le veo sentido a mi vida",
    "no le encuentro sentido a mi vida",
    "la vida no tiene sentido",
    "mi vida no tiene sentido",
    "no tiene sentido vivir",
    "no tiene sentido seguir viviendo",
    "no tiene caso vivir",
    "no tiene caso seguir viviendo",
    "para que seguir viviendo",
    "cansado de vivir",
    "cansada de vivir",
    "harto de vivir",
    "harta de vivir",
    "cansado de estar vivo",
    "cansada de estar viva",
    "no quiero seguir con vida",
    "quiero que todo termine",
    "quiero que todo se acabe",
    "ojala todo terminara",
    "ojala todo se acabara",
    "me da igual morir",
    "me da igual si me muero",
    "no me importa morir",
    "no me importaria morir",
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
    "me voy a ahorcar",
    "me quiero ahorcar",
    # Un método nombrado (tercera revisión: "me voy a pegar un tiro" no se encontraba)
    "pegarme un tiro",
    "pegar un tiro",
    "pegarme un balazo",
    "pegar un balazo",
    "me pego un tiro",
    "darme un tiro",
    "quiero dispararme",
    "voy a dispararme",
    "me voy a disparar",
    "me quiero disparar",
    "quiero colgarme",
    "voy a colgarme",
    "me quiero colgar",
    "me voy a colgar",
    "envenenarme",
    "me quiero envenenar",
    "me voy a envenenar",
    *(f"{verb} {place}" for verb in _FALL_VERBS_ES for place in _FALL_PLACES_ES),
    "tirar de un puente",
    "tirar del puente",
    "cortarme las munecas",
    "cortar las munecas",
    "me corte las munecas",
    "me corto las munecas",
    "cortarme los brazos",
    "me corte los brazos",
    "me corto los brazos",
    "mejor estaria muerto",
    "mejor estaria muerta",
    "mejor estar muerto",
    "mejor estar muerta",
    "sobredosis",
    "cortarme las venas",
    "cortar las venas",
    "me corte las venas",
    "me corto las venas",
    "me tome todas las pastillas",
    "me tome todas mis pastillas",
    "tomarme todas las pastillas",
    "tomarme todas mis pastillas",
    "no tengo ganas de vivir",
    "sin ganas de vivir",
    "perdi las ganas de vivir",
    "perdido las ganas de vivir",
    # Hacerse daño a propósito
    "autolesion",
    "autolesiones",
    "autolesionarme",
    "autolesionandome",
    "me autolesiono",
    "me autolesione",
    "hacerme dano a proposito",
    "lastimarme a proposito",
    # Cuarta revisión: cortarse, estar mejor sin mí, no querer seguir, no despertar,
    # harto de la vida, pastillas guardadas.
    "me corte",
    "me corto",
    "cortarme",
    "me he cortado",
    "me estoy cortando",
    "cortandome",
    "me volvi a cortar",
    "volver a cortarme",
    "me sigo cortando",
    "sin mi estarian mejor",
    "sin mi estaria mejor",
    "sin mi estarias mejor",
    "sin mi estarian todos mejor",
    "sin mi vivirian mejor",
    "mejor si yo no estuviera",
    "mejor si no estuviera",
    "mejor si ya no estuviera",
    "mejor si me muero",
    "mejor si me muriera",
    "mejor si desapareciera",
    "mejor si yo desapareciera",
    "mejor cuando ya no este",
    "mejor cuando yo no este",
    "no quiero seguir",
    "no quiero seguir adelante",
    "no puedo seguir asi",
    "no puedo seguir adelante",
    "no tiene sentido seguir",
    "no tiene caso seguir",
    "no le veo sentido a seguir",
    "para que seguir",
    "que sentido tiene seguir",
    "ojala no despertar",
    "ojala no despertara",
    "ojala no despertarme",
    "ojala no me despierte",
    "ojala no me despertara",
    "ojala ya no despertara",
    "ojala nunca despertara",
    "ojala no amanezca",
    "ojala no amaneciera",
    "quisiera no despertar",
    "quisiera no despertarme",
    "desearia no despertar",
    "me gustaria no despertar",
    "harto de la vida",
    "harta de la vida",
    "cansado de la vida",
    "cansada de la vida",
    # Pastillas guardadas: not "pastillas guardadas en el botiquín" (NOT_CRISIS).
    *(f"{pills} {kept}" for pills in _PILLS_ES for kept in _PILLS_KEPT_ES),
    *(f"{verb} {pills}" for verb in _PILLS_KEEPING_ES for pills in _PILLS_ES),
)
"""The Spanish crisis words (issue 18): the scanner looks for these in every patient's
text together with DEFAULT_CRISIS_WORDS and the practice's own additions, whatever the
patient's language (people mix languages). Added after review: "no le veo sentido a
la vida" and its kin ("la vida no tiene sentido", "no tiene caso vivir"), "cansada de
vivir" (not "cansada de vivir con este dolor": NOT_CRISIS), "quiero que todo
termine", "me da igual morir". Same normal form as the English list: no
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

Added after a third review (a walk-through found "Esta noche me voy a pegar un tiro"
raised nothing): a method named, in English and Spanish: shooting, hanging, poison,
drowning, stabbing, wrists, jumping or throwing oneself from a height or before a
train ("pegar(me) un tiro", "voy a dispararme", "me voy a colgar", "envenenarme", "tirarme
del puente / por la ventana", "cortarme las muñecas / los brazos", "mejor estaría
muerta"). Not listed: "tirar por la ventana" alone ("no quiero tirar por la ventana lo
que avancé"), a bare "dispararme" ("agacharme suele dispararme el dolor"), "stabbed
myself" (a needle, a fork). Spared by NOT_CRISIS: "drowning myself in work", "shooting
myself in the foot", "stab myself with the insulin pen", "me voy a colgar la mochila",
"voy a colgarme de la barra" (a back stretch). Falls and traffic are built from verb
forms × places (_HEIGHTS_EN, _TRAFFIC_EN, _FALL_VERBS_ES, _FALL_PLACES_ES), so "jump
off my balcony" and "me voy a arrojar del puente" are found as well as the first ones.

Added after a second review: "me corté / me corto las venas", "cortar las venas",
"me tomé todas las (mis) pastillas", "tomarme todas las pastillas", "no tengo ganas
de vivir", "sin ganas de vivir", "perdí las ganas de vivir", "me autolesiono / me
autolesioné", "autolesionándome". A bare "ganas de vivir" is not listed ("tengo
ganas de vivir otra vez" is hopeful). "me tomé todas mis pastillas" as a note that
the medicine was taken is an accepted rare false alarm, as in English.

Added after a fourth review (a tester: "me corté otra vez" raised nothing while "I cut
myself" did): a bare "me corté / me corto / cortarme" now matches, as "cut myself"
does, except before a haircut, nails, a finger or the kitchen, or someone else's
cutting ("me cortó la medicación": accents gone it reads "me corto"), all in
NOT_CRISIS; "no me corto un pelo" is spared, other uses of "no me corto" are an
accepted false alarm. Also "sin mí estarían mejor", "estarían mejor si yo no
estuviera", "ya no quiero seguir" and "no tiene sentido seguir" (not "con este
ejercicio", "caminando"...), "ojalá no despertar(a)" (not "a las tres", "con
dolor"), "harta de la vida", "tengo pastillas guardadas", "he guardado pastillas"
(not "guardadas en el botiquín"). "no quiero seguir con esto" matches: too close to
call, a human reads it.
"""
