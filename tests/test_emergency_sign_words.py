"""Emergency signs a patient writes (tracking.rules.symptom_words), through the free-text
scanner's one matcher (tracking.safety.scanner.holds_emergency_signs): the signs of
cauda equina in English and Spanish, in their close forms, are found; everyday pain talk,
negations, a doctor's check and posture numbness are not."""

from __future__ import annotations

import pytest

from tracking import rules
from tracking.safety.scanner import holds_emergency_signs, normalise

FOUND = [
    # bladder and bowel
    "Since this morning I can't control my bladder.",
    "I cannot control my bowels anymore",
    "I have lost control of my bladder",
    "Losing control of my bowels since yesterday",
    "New loss of bladder control today",
    "I can't pee at all since last night",
    "I've been unable to pass urine all day",
    "I wet myself at the shops this afternoon",
    "I keep wetting myself",
    "I have become incontinent this week",
    # saddle
    "Since this morning I can't feel anything between my legs and I can't control my bladder",
    "It's numb between my legs",
    "My groin went numb and it is still numb",
    "There is numbness in my genitals",
    "I can't feel the toilet paper when I wipe",
    "Numb down there since this morning",
    # both legs, a leg giving way, foot drop
    "Both legs went numb this morning",
    "Both my legs are weak",
    "My legs keep giving way",
    "Weakness in both legs since Monday",
    "My leg keeps giving way on the stairs",
    "My foot drop is getting worse",
    # Spanish
    "Ambas piernas se me duermen y no controlo la vejiga",
    "No puedo orinar desde ayer",
    "Me hago pis encima",
    "He perdido el control de la vejiga",
    "No siento nada entre las piernas",
    "Tengo la entrepierna dormida",
    "Se me duermen las dos piernas",
    "Me falla la pierna cada vez más",
    "Tengo incontinencia desde el lunes",
    "Pérdida de sensibilidad en la zona genital",
    # a negation does not reach past "but" or across a sentence
    "I don't know why, but I can't control my bladder",
    "I don't know why but my legs gave way",
    "No sé por qué pero no puedo orinar",
    # an adverbial "without warning", "for no reason", "sin querer" never spares
    "Without warning I lost control of my bladder",
    "Without realising I wet myself",
    "without warning my legs gave out",
    "Without any warning both legs gave way",
    "For no reason my legs keep giving way",
    "no reason my legs are weak",
    "never happened before my leg gave way",
    "Sin querer me hice pis encima",
    "Sin darme cuenta me hice pis encima",
    "sin avisar me hice pis encima",
    "Sin motivo se me doblan las dos piernas",
    "Without meaning to I wet the bed",
    "No idea why my legs went numb",
    "Not sure why my leg keeps giving way",
    "Sin previo aviso se me doblan las dos piernas",
    "Sin saber por qué me orino encima",
    # a negation that negates another word, or stands before the subject
    "Not good today, no my legs keep giving way",
    "Oh no I wet myself",
    "Never had this before, I can't control my bladder",
    "I had no warning, my legs gave way",
    # "not able to", "ni"
    "I'm not able to pee",
    "No puedo ni orinar",
    "I can't even pee",
]

NOT_FOUND = [
    "No bladder problems.",
    "My doctor checked my bladder last year.",
    "I have not lost control of my bladder",
    "I haven't had any numbness between my legs",
    "No numbness in my groin, just back pain",
    "Numb between my legs after sitting on the toilet too long",
    "My legs went numb from sitting on the floor",
    "My doctor told me to watch for loss of bladder control",
    "I nearly wet myself laughing at the film",
    "Sin pérdida de control de la vejiga",
    "No tengo entumecimiento en la entrepierna",
    "Nunca he perdido el control de la vejiga",
    "Se me durmió la entrepierna en la bici",
    "My leg hurts when I walk up the stairs",
    "My back is stiff and my legs ache after work",
    "Me duele la pierna al subir escaleras",
    "I went to the toilet twice in the night",
    "What if I lose control of my bladder one day?",
    "I have never wet myself",
    "No me hago pis encima",
    "No se me duermen las piernas",
    "I have not noticed any numbness in my groin",
]


@pytest.mark.parametrize("text", FOUND)
def test_an_emergency_sign_is_found(text):
    assert holds_emergency_signs([text])


@pytest.mark.parametrize("text", NOT_FOUND)
def test_everyday_talk_and_negations_are_not_found(text):
    assert not holds_emergency_signs([text])


def test_the_lists_are_in_the_scanners_normal_form():
    for phrase in rules.emergency_sign_words():
        assert normalise(phrase) == phrase, phrase
    assert len(rules.EMERGENCY_SIGN_WORDS) == len(set(rules.EMERGENCY_SIGN_WORDS))


def test_a_plain_body_word_is_never_a_phrase():
    # "my doctor checked my bladder" must stay ordinary talk.
    bare = {"bladder", "bowel", "bowels", "legs", "leg", "groin", "vejiga", "piernas"}
    assert not bare & set(rules.emergency_sign_words())
