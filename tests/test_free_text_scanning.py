"""Free-text crisis-word scanning (issue 15): the normal form, the default list's
phrasings and non-matches, the alert it raises, and every patient text field, found by
introspecting the models, saved through its real service."""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from programs.exposure.services import (
    exposure_complete,
    exposure_create,
    fear_item_create,
    fear_item_update,
)
from programs.models import Activity, ActivityKind
from programs.practice.services import practice_session_record
from programs.services import attribution_record, reflection_save
from programs.tailoring.services import custom_exercise_add, custom_exercise_complete
from tracking import rules
from tracking.alerts.services import alert_acknowledge
from tracking.diary.services import Episode, diary_entry_save
from tracking.messaging.services import message_send
from tracking.models import Alert, PracticeSettings, SafetyPlan
from tracking.safety.scanner import (
    FINGERPRINT,
    finds_crisis_words,
    holds_crisis_words,
    normalise,
    scan,
    text_fingerprint,
)
from tracking.safety.services import safety_plan_save

DEFAULT = rules.DEFAULT_CRISIS_WORDS
CRISIS = "Honestly some days I want to die."


# ------------------------------------------------------------------ normal form
@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("I WANT to Die", "i want to die"),
        ("I don’t want to be here", "i do not want to be here"),  # curly apostrophe
        ("I don't  want\tto\n\nbe here", "i do not want to be here"),  # runs of whitespace
        ("life isn't worth it", "life is not worth it"),  # short forms spelt out
        ("I wasn‘t, I can’t, I cannot", "i was not i can not i can not"),
        ("I wanna, what's the point", "i want to what is the point"),
        ("I'll be ill, I'd go", "ill be ill id go"),  # words that mean something else stay
        ("kill my-self!!!", "kill my self"),  # hyphen and punctuation
        ("Je veux mourir, c’est tout…", "je veux mourir cest tout"),
        ("kíll mysélf", "kill myself"),  # accents
        ("SUİCİDE", "suicide"),  # dotted capital I
        ("ｋｉｌｌ　ｍｙｓｅｌｆ", "kill myself"),  # full-width letters and space
        ("", ""),
    ],
)
def test_it_normalises_case_accents_apostrophes_punctuation_and_spaces(text, normal):
    assert normalise(text) == normal


# ------------------------------------------------------------------ the default list
@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "i dont want to be here anymore",
        "I don’t want to be here any more",
        "thinking about ending it",
        "Been thinking about ending it all",
        "KILL MYSELF",
        "kill my-self",
        "I could kill myself for that",  # a false alarm we accept (see rules)
        "I just wanna die",
        "everyone would be better off without me",
        "I'd be better off dead",
        "sometimes I wish I was dead",
        "there is no reason to live",
        "I feel suicidal",
        "thoughts of suicide",
        "I have been cutting myself again",
        "I might hurt myself",
        "I want to end my life",
        "I can't go on like this",
        "I cant go on",
        "kíll mysélf",
        "Quiero... no, I want to DIE.",
        "planning an overdose",
        "I want to take my own life",
        "Honestly I'd rather be dead",
        "some days I would rather die",
        "I just want to disappear",
        "I wish I could disappear",
        "I want to go to sleep and never wake up",
        "I want to sleep and not wake up",
        "to fall asleep and never wake up",
        "I don't want to exist anymore",
        "I wish I didn't exist",
        "I wish I was never born",
        "I want to stop existing",
        "I'd rather not be alive",
        "I wish I could just die",
        # A tester's review: contractions, curly apostrophes, other word forms.
        "Honestly life isn't worth living with this pain",
        "Honestly life isn’t worth living with this pain",
        "life is not worth living",
        "I'm thinking about ending my life",
        "I ended up thinking of ending my own life",
        "I'm so tired of living",
        "I'm sick of being alive",
        "I might as well be dead",
        "may as well die",
        "I wish I wasn't here anymore",
        "I wish I weren’t alive",
        "wish I was gone",
        "no point living",
        "there's no point in living",
        "What's the point of living",
        "I don't want to live anymore",
        "I do not want to be alive",
        "I dont want to be alive",
        "I cannot go on",
        "I can’t go on like this",
        "I want it all to end",
        "I just want it all to be over",
        "I wish it would all stop",
        "everyone would be better off if I was gone: better off dead",
        "I no longer want to live",
        "I wanted to die last night",
        "wishing I was dead",
        "I keep hoping I never wake up",
        "I'm tired of living with this pain and I want to die",  # a spared idiom + a crisis
        "I don’t wanna be alive",
        "I do not want to go on living",
        "I don't want to keep living",
        "no reason to go on living",
        "I'm tired of existing",
        "I don't see the point in living",
        "I can't see the point of living",
        # A review: the pain-talk exception stops at a sentence break and spares only pain.
        "I'm tired of living. With all this pain I can't see a way",
        "tired of living, with nobody who cares",
        "I am tired of living with myself",
        "I'm so tired of living with the guilt",
        "I'm tired of living; with this pain or without it",
        "sick of living with what I did",
        "I'm tired of living with this pain, I want to die",
        # Everyday-idiom exceptions: only the words right after, never across a break.
        "I want it all to end. Up to now I held on",
        "I want it all to stop, hurting is all I feel",
        "I want to stop hurting myself",
        "I want it all to stop hurting myself",  # "hurting myself" still matches
        "I wanted to die. Of embarrassment, of everything",
        "I want to die of sadness",
        "they would all be better without me today",  # a bare time word: still matches
        "my family is better without me at home",
        "I wish I was gone for good",
        "I wish I wasn't here at all",
        "I don't want to be here at work or anywhere",  # only "wish I was not here" spared
        "what's the point of living. In fear all day",
        "wish it would all end",
        "I want everything to end",
        "I wish I could just die",
    ],
)
def test_the_default_list_finds_realistic_phrasings(text):
    assert finds_crisis_words([text], DEFAULT), text


@pytest.mark.parametrize(
    "text",
    [
        "this pain is killing me",  # decided: a figure of speech patients use every week
        "My back is killing me today",
        "I nearly died laughing at the film",
        "killing time before the appointment",
        "I'm dying to try swimming again",
        "Bending to tie my shoes was fine",
        "I did the session and will end it there",  # a bare "end it" is not listed
        "suicidewatch",  # inside another word: not a whole word
        "weekend itinerary",
        "I never wake up rested",  # decided: sleep notes, not "never wake up" alone
        "I did not wake up at night",
        "I went to sleep and didn't wake up until 7",
        "I want the pain to disappear",
        "I'm dead tired after the walk",
        "I'd rather walk than drive",
        "I stopped living my life around the pain",  # "stop living" is not listed
        "I'm dying to get back to running",
        "I'm so tired of living with this pain",  # rules.NOT_CRISIS: about the pain
        "sick of living with a bad back",
        "I'm tired of living in pain",
        "There's no point in living in fear of bending",
        "I want the pain to end",
        "I want it to stop hurting",
        "I ended the session early",
        "I wanted to go for a walk",
        "I can't go to the gym today",
        "I'll be ill if I skip lunch",
        "I want to go on living without pain",
        "I want to keep living my life",
        "I can see the point of pacing now",
        "I can see the point in living again",
        # A review: everyday talk that held a crisis phrase (no alert for pain idioms).
        "I want everything to end up in the right place",
        "want it all to end up working",
        "I want it all to stop hurting",
        "want everything to stop aching",
        "I wish it would all stop hurting",
        "I wanted to die of embarrassment",
        "I want to die of embarrassment",
        "wanting to die laughing at that film",
        "I wish I could just die of boredom in these meetings",
        "I'd rather die of boredom than watch that again",
        "my team is better without me today at work",
        "the team is better off without me at work this week",
        "I wish I was gone on holiday",
        "I wish I were gone on vacation",
        "I wish I wasn't here at work",
        "I wish I wasn't here today at the office",
        "what's the point of living in fear",
        "I don't see the point in living in fear of my back",
        "tired of living with chronic pain",
        "I'm sick of living in constant pain",
        "tired of living with all this back pain",
        "",
    ],
)
def test_the_default_list_leaves_ordinary_sentences_alone(text):
    assert not finds_crisis_words([text], DEFAULT), text


def test_the_default_list_is_already_in_normal_form():
    assert all(normalise(phrase) == phrase for phrase in DEFAULT)


def test_the_exceptions_are_in_normal_form_and_each_ends_a_listed_phrase():
    listed = (*DEFAULT, *rules.DEFAULT_CRISIS_WORDS_ES)
    for key, endings in rules.NOT_CRISIS.items():
        assert normalise(key) == key and all(normalise(e) == e for e in endings), key
        assert any(p == key or p.endswith(" " + key) for p in listed), key


# The lists the scanner checks for a practice that kept the default: both languages.
BOTH = (*DEFAULT, *rules.DEFAULT_CRISIS_WORDS_ES)


@pytest.mark.parametrize(
    "text",
    [
        "Ya no quiero estar aquí",
        "quisiera dormirme y no despertar",
        "Me quiero quitar la vida",
        "Quisiera morirme",
        "mejor me mato",
        "Prefiero estar muerta",
        "prefiero estar muerto",
        "Quiero desaparecer",
        "Preferiría morirme",
        "preferiría estar muerta",
        "Quisiera estar muerto",
        "Me gustaría morirme ya",
        "Quiero dormir y no despertar",
        "ojalá pudiera dormirme y no despertarme",
        "Quisiera no volver a despertar",
        "Quiero quitarme de en medio",
        "Quiero dejar de vivir",
        "Quisiera dejar de existir",
        "Ya no quiero existir",
        "Quisiera desaparecer para siempre",
        "Tengo ganas de morirme",
        "Ya no quiero estar acá",
        "QUISIERA MORIR",
        "No le veo sentido a la vida",
        "ya no le encuentro sentido a mi vida",
        "La vida no tiene sentido",
        "no tiene caso seguir viviendo",
        "Estoy cansada de vivir",
        "harto de vivir así",
        "La vida no vale la pena",
        "Quiero que todo se acabe",
        "me da igual si me muero",
        "Estoy cansada de vivir con este dolor, quiero morirme",
        "Estoy cansada de vivir, con todo lo que pasó",  # a break: the exception stops
        "cansada de vivir con él",
        "harto de vivir con esta culpa",
    ],
)
def test_the_spanish_list_finds_realistic_phrasings(text):
    assert finds_crisis_words([text], BOTH), text


@pytest.mark.parametrize(
    "text",
    [
        "Este dolor me está matando",  # decided: everyday chronic-pain idioms
        "Me muero de dolor al agacharme",
        "Me mato trabajando toda la semana",
        "Ya no puedo más con este dolor",
        "Estoy muerta de cansancio",
        "Nunca me despierto descansada",
        "No me desperté en la noche",
        "Dormí y no me desperté hasta las siete",
        "Quiero que el dolor desaparezca",
        "Quiero estar aquí con mi familia",
        "Quiero vivir sin dolor",
        "Quisiera dormir mejor",
        "me muero de dolor",
        "Estoy cansada de vivir con este dolor",
        "harto de vivir con la espalda así",
        "Le veo sentido a la vida otra vez",
        "Quiero que el dolor se acabe",
        "cansado de vivir con dolor de espalda",
        "harta de vivir con tanto dolor",
        "Estoy cansada de vivir con el dolor",
    ],
)
def test_the_spanish_list_leaves_everyday_sentences_alone(text):
    assert not finds_crisis_words([text], BOTH), text


# A second review: word forms of overdose and self-harm, pills, the will to live and
# the Spanish "me corté las venas" were missed. Checked against both lists, as every
# practice's patients are (people mix languages).
@pytest.mark.parametrize(
    "text",
    [
        "I overdosed last night",
        "thinking about overdosing",
        "I overdose on purpose sometimes",
        "she overdoses when it gets bad, and so do I",
        "I've been self-harming again",
        "I self-harmed",
        "I selfharm when the pain is bad",
        "selfharming again this week",
        "self harming",
        "I harmed myself on purpose",
        "I've been thinking about self-injury",
        "I took all my pills",
        "I took all my tablets last night",
        "I've taken all my pills",
        "I swallowed all my tablets",
        "I have no will to live",
        "I've lost the will to live",
        "losing the will to live",
        "overdosed on caffeine pills",  # caffeine tablets are a real overdose
        "I took all my pills. As prescribed by nobody.",  # a break: the exception stops
        "me corté las venas",
        "me corte las venas",
        "Me corto las venas",
        "quiero cortar las venas",
        "me tomé una sobredosis",
        "me tomé todas las pastillas",
        "Anoche me tomé todas mis pastillas",
        "ya no tengo ganas de vivir",
        "estoy sin ganas de vivir",
        "perdí las ganas de vivir",
        "he perdido las ganas de vivir",
        "me autolesioné otra vez",
        "me autolesiono cuando duele",
    ],
)
def test_overdose_self_harm_pills_and_will_to_live_are_found(text):
    assert finds_crisis_words([text], BOTH), text


@pytest.mark.parametrize(
    "text",
    [
        "I overdosed on coffee this morning",  # rules.NOT_CRISIS: clearly everyday
        "overdosing on chocolate at the party",
        "I overdosed on sugar",
        "I took all my pills as prescribed",
        "took all my tablets on time this week",
        "I take all my pills with breakfast",  # present tense is not listed
        "I did no harm to my back",
        "the walk did my back no harm",
        "I'm afraid bending will harm my back",
        "Tengo ganas de vivir otra vez",  # a bare "ganas de vivir" is not listed
        "Me corté el pelo",
        "me corto las uñas",
        "Me tomé las pastillas del dolor",
        "The pain has taken my life over",  # "take" has no other forms
        "the will to live well with pain",
    ],
)
def test_the_new_forms_leave_everyday_sentences_alone(text):
    assert not finds_crisis_words([text], BOTH), text


# A third review (a walk-through): a method named was missed, "Esta noche me voy a pegar
# un tiro" first of all.
@pytest.mark.parametrize(
    "text",
    [
        "Ya no aguanto. Esta noche me voy a pegar un tiro.",
        "quiero pegarme un tiro",
        "me pego un tiro y se acaba",
        "a veces pienso en pegarme un balazo",
        "voy a dispararme",
        "Me voy a disparar",
        "quiero colgarme",
        "Me voy a colgar esta noche",
        "me quiero ahorcar",
        "me quiero envenenar",
        "pienso en envenenarme",
        "me corté las muñecas",
        "quiero cortarme las muñecas",
        "me corto los brazos cuando duele",
        "me voy a tirar del puente",
        "Me voy a tirar por la ventana",
        "pienso en tirarme a las vías",
        "mejor estaría muerta",
        "I'm going to shoot myself",
        "thinking about shooting myself",
        "I want to blow my brains out",
        "I could poison myself",
        "I'll drown myself",
        "I want to slit my wrists",
        "I cut my wrists last night",
        "I want to jump off a bridge",
        "thinking of jumping off the roof",
        "I'll step in front of a train",
        "I want to throw myself off the bridge",
        "I could throw myself in front of a bus",
        "I'll jump off my balcony",
        "jumping from the bridge tonight",
        "I'll throw myself under a train",
        "I could step in front of traffic",
        "me voy a tirar a las vías",
        "quiero tirarme del edificio",
        "me voy a aventar del puente",
        "me voy a arrojar del puente",
        "quiero dispararme",
    ],
)
def test_a_method_named_is_found(text):
    assert finds_crisis_words([text], BOTH), text


@pytest.mark.parametrize(
    "text",
    [
        "I threw myself off balance reaching for the shelf",
        "I'm drowning myself in work to forget the pain",
        "Me voy a colgar la mochila en un solo hombro",
        "No quiero tirar por la ventana lo que avancé",
        "Shot of espresso this morning",
        "I stepped in front of the mirror and bent down slowly",
        "Jumped off the step without fear today",
        "Agacharme suele dispararme el dolor",
        "El estrés puede dispararme la ansiedad",
        "Cuando voy a colgarme la mochila me da miedo",
        "Voy a colgarme de la barra para estirar la espalda",
        "me voy a colgar de la barra un minuto",
        "I keep shooting myself in the foot by overdoing it",
        "I stab myself with the insulin pen every morning",
        "Me tiré al suelo para jugar con mi nieta",
    ],
)
def test_everyday_talk_near_the_method_words_is_left_alone(text):
    assert not finds_crisis_words([text], BOTH), text


# A fourth review: self-harm phrasings missed in one language or both ("I cut myself"
# was found, "me corté otra vez" was not). Each English and Spanish pair.
@pytest.mark.parametrize(
    "text",
    [
        # Cutting
        "me corté otra vez",
        "Anoche me corté",
        "me corto cuando no aguanto",
        "quiero cortarme",
        "tengo ganas de cortarme otra vez",
        "me he cortado en el brazo",
        "me estoy cortando de nuevo",
        "sigo cortándome",
        "me volví a cortar",
        "no quiero volver a cortarme",
        "me sigo cortando",
        "me corté con una cuchilla",
        "me corté. El pelo no importa",  # a break: the exception stops
        "I cut myself again",
        "I cut myself on purpose",
        # Better off without me
        "sin mí estarían mejor",
        "Sin mi estarian mejor",
        "sin mí estaría mejor mi familia",
        "sin mí estarían todos mejor",
        "estarían mejor si yo no estuviera",
        "todos estarían mejor si me muero",
        "estarían mejor cuando ya no esté",
        "estarían mejor sin mí",
        "everyone would be better off if I was gone",
        "they'd be better off if I were gone",
        "my kids would be better off if I wasn't here",
        "they'd all be better off if I died",
        "they will be better off when I'm gone",
        "better off with me gone",
        # Not wanting to go on
        "ya no quiero seguir",
        "No quiero seguir así",
        "no quiero seguir adelante",
        "ya no puedo seguir así",
        "no tiene sentido seguir",
        "no tiene caso seguir",
        "¿para qué seguir?",
        "no le veo sentido a seguir",
        "no quiero seguir con esto",  # decided: too close to call, a human reads it
        "I don't want to go on",
        "I dont want to carry on anymore",
        "I don't want to keep going",
        "I no longer want to go on",
        "no point going on",
        "there's no point in going on",
        "no point carrying on like this",
        "no reason to go on",
        "what's the point of going on",
        "I can't see the point in going on",
        "I can't go on. Walking is the least of it",  # a break: the exception stops
        # Not waking up
        "ojalá no despertar",
        "ojalá no despertara mañana",
        "ojala no despertarme",
        "ojalá no me despierte",
        "ojalá ya no despertara",
        "ojalá nunca despertara",
        "ojalá no amanezca",
        "quisiera no despertar",
        "I wish I wouldn't wake up",
        "I wish I didn't wake up this morning",
        "I wish I never woke up",
        "I hope I don't wake up tomorrow",
        "I hope I won't wake up",
        "I wish I wouldn't wake up at all",
        # Done with life
        "I'm done with life",
        "I'm done with living",
        "done with my life",
        "I'm finished with life",
        "I've had enough of life",
        "I've had enough of living",
        "estoy harta de la vida",
        "harto de la vida",
        "cansado de la vida",
        "cansada de la vida",
        # Pills kept back
        "I have pills saved up",
        "I've got tablets saved up",
        "I've been saving up my pills",
        "I saved up my sleeping pills",
        "I'm stockpiling painkillers",
        "I have a stash of pills",
        "hoarding my tablets",
        "tengo pastillas guardadas",
        "he guardado pastillas",
        "he guardado mis pastillas",
        "estoy juntando pastillas",
        "tengo somníferos guardados",
        "llevo meses acumulando calmantes",
        "tengo pastillas escondidas",
    ],
)
def test_a_fourth_reviews_phrases_are_found_in_both_languages(text):
    assert finds_crisis_words([text], BOTH), text


@pytest.mark.parametrize(
    "text",
    [
        "I can't go on walking far",
        "I can't go on long walks yet",
        "I don't want to go on holiday this year",
        "no point going on the treadmill today",
        "I don't want to carry on with this exercise",
        "I don't want to keep going with the stretches",
        "I don't want to go on painkillers",
        "no quiero seguir con este ejercicio",
        "No quiero seguir con los ejercicios de hoy",
        "no tiene sentido seguir caminando si duele",
        "no quiero seguir tomando tantas pastillas",
        "no puedo seguir el ritmo del grupo",
        "Me corté el pelo",
        "me corté el dedo cocinando",
        "me corté cocinando",
        "me corté las uñas",
        "tengo que cortarme el pelo",
        "El médico me cortó la medicación",
        "el ibuprofeno me cortó el dolor",
        "me he cortado el flequillo",
        "I cut myself shaving",
        "I wish I didn't wake up so early",
        "I wish I wouldn't wake up in the night",
        "ojalá no despertara a las tres",
        "ojalá no me despierte con dolor",
        "I'm done with the exercises for today",
        "I've had enough of living with this pain",
        "done with living in fear of bending",
        "tengo las pastillas guardadas en el botiquín",
        "las pastillas escondidas de los niños",
        "tengo los somníferos guardados en el cajón",
        "I save my pills for bad days",
        "me gusta la vida",
    ],
)
def test_a_fourth_reviews_phrases_leave_everyday_talk_alone(text):
    assert not finds_crisis_words([text], BOTH), text


def test_a_new_practice_starts_with_no_words_of_its_own_and_the_built_ins_checked(cast):
    settings = PracticeSettings.for_practice(cast.practice.pk)
    assert settings.crisis_words == []
    assert holds_crisis_words(["I want to kill myself"], settings)
    assert holds_crisis_words(["Me quiero matar"], settings)


@pytest.mark.parametrize("own", [[], ["a", "e", "the"], ["our own phrase"], [""], [None]])
def test_no_list_of_a_practice_switches_the_built_ins_off(cast, own):
    settings = PracticeSettings.for_practice(cast.practice.pk)
    settings.crisis_words = own
    for text in ("I want to kill myself", "no le veo sentido a la vida", "I can't go on"):
        assert holds_crisis_words([text], settings), (own, text)


# ------------------------------------------------------------------ the alert
def test_it_raises_one_urgent_self_harm_alert_without_the_words(enrollment):
    first = scan(enrollment, source="reflection:1", texts=["I don’t want to be here anymore"])
    again = scan(enrollment, source="reflection:1", texts=["I want to die"])
    assert again is None
    alert = Alert.objects.get()
    assert alert == first
    assert (alert.kind, alert.severity) == ("self_harm", "urgent")
    # The kind of entry and a keyed fingerprint of the words (to tell a later save of
    # the same words): never the words themselves.
    assert alert.details == {
        "crisis_words": True,
        "entry": "reflection",
        FINGERPRINT: text_fingerprint(["I don’t want to be here anymore"]),
    }


def test_the_practices_own_words_add_to_the_built_in_ones(cast, enrollment):
    settings = PracticeSettings.for_practice(cast.practice.pk)
    settings.crisis_words = ["Can’t take it"]
    settings.save()
    # Each alert is acknowledged before the next entry: a hit while one waits
    # unacknowledged is added to it instead (rules.repeat_crisis_decision).
    for source, text in [("practice:1", "I want to die"), ("practice:2", "I cannot TAKE it.")]:
        alert = scan(enrollment, source=source, texts=[text])
        assert alert is not None
        alert_acknowledge(alert=alert, by=cast.clinician)
    assert scan(enrollment, source="practice:5", texts=["I can take it"]) is None
    assert Alert.objects.count() == 2


def test_an_emptied_list_still_checks_the_built_ins(cast, enrollment):
    PracticeSettings.objects.filter(practice=cast.practice).update(crisis_words=[])
    PracticeSettings.for_practice(cast.practice.pk)
    PracticeSettings.objects.filter(practice=cast.practice).update(crisis_words=[])
    assert scan(enrollment, source="practice:3", texts=["KILL MYSELF"]) is not None


def test_nothing_is_raised_for_empty_or_ordinary_text(enrollment):
    assert (
        scan(enrollment, source="practice:4", texts=["", None, "this pain is killing me"]) is None
    )
    assert not Alert.objects.exists()


# ------------------------------------------------------------------ every patient text field
# Text fields in our apps that a patient does NOT write, each with why. Fields with
# choices, slugs and emails are not free text and are skipped by the walk itself.
NOT_PATIENT_TEXT = {
    "accounts.User.password": "a hash",
    "accounts.User.full_name": "a name, entered at invitation",
    "accounts.User.timezone": "an IANA zone name, validated",
    "accounts.Practice.*": "staff-written",
    "accounts.Invitation.*": "staff and system",
    "accounts.AuditEvent.*": "system",
    "programs.Program.*": "program content",
    "programs.ProgramVersion.*": "program content",
    "programs.Week.*": "program content",
    "programs.Activity.*": "program content",
    "programs.Recording.*": "a practice admin's recording and its transcript",
    "programs.Booster.*": "program content (the monthly boosters after week 8)",
    "programs.Enrollment.country": "a country code",
    "programs.Enrollment.contact_phone": "a phone number",
    "programs.Enrollment.emergency_contact_name": "a person's name",
    "programs.Enrollment.emergency_contact_phone": "a phone number",
    "tracking.Alert.*": "system",
    "tracking.PracticeSettings.*": "staff-written",
    "tracking.EscalationStep.*": "staff-written",
    "tracking.Instrument.*": "questionnaire content",
    "tracking.CheckIn.*": "system (answers are JSON: see the check-in tests below)",
    "tracking.ReminderPreferences.phone": "a phone number",
    "tracking.ReminderSchedule.*": "system",
    "tracking.Delivery.*": "system",
    "tracking.Notification.*": "system",
    "tracking.OutboxTask.*": "system",
    "tracking.DigestLog.*": "system",
    "tracking.BulkImport.*": "staff upload",
    "tracking.ClinicianNote.*": "staff-written",
    "tracking.SavedCaseloadFilter.*": "a clinician's name for their caseload filters",
    "tracking.CrisisResource.*": "staff-written",
    "tracking.HoldDecision.*": "staff-written",
    "tracking.AlertResolution.*": "staff-written",
    "tracking.AlertContactAttempt.*": "staff-written",
    "tracking.Response.language": "a language code",
    "programs.MedicalAssessment.*": "staff-written",
    "tracking.SessionNote.*": "staff-written",
    "tracking.DiaryEntry.clue_key": "a clue's key, chosen from the patient's own checklist",
    # Tailoring (issue 19.2): what the clinician writes for the patient; the patient's
    # own note on a custom exercise is scanned (WRITERS).
    "programs.ActivityAdjustment.*": "staff-written",
    "programs.ExposureSuggestion.*": "staff-written (the rung it becomes is the patient's)",
    "programs.ProgramSwitch.*": "staff-written",
    "programs.CustomExercise.title": "staff-written",
    "programs.CustomExercise.instructions": "staff-written",
    "programs.CustomExercise.reason": "staff-written",
}


def patient_text_fields() -> set[str]:
    found = set()
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in ("accounts", "programs", "tracking"):
            continue
        if f"{label}.*" in NOT_PATIENT_TEXT:
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.TextField | models.CharField):
                continue
            if field.choices or isinstance(field, models.SlugField | models.EmailField):
                continue
            if not field.editable or f"{label}.{field.name}" in NOT_PATIENT_TEXT:
                continue
            found.add(f"{label}.{field.name}")
    return found


def _activity(enrollment, kind):
    return Activity.objects.filter(week__version=enrollment.program_version, kind=kind).first()


def _fear_item(enrollment, label="Bending to tie my shoes"):
    return fear_item_create(enrollment=enrollment, label=label, harm_rating=40)


def _exposure(enrollment, **kw):
    return exposure_create(
        enrollment=enrollment,
        fear_item=None,
        activity=kw.get("activity", "Carry the shopping"),
        predicted_pain=5,
        predicted_harm=50,
        expectation=kw.get("expectation", ""),
    )


# How a patient saves each field: the real service, with `text` in that field.
WRITERS = {
    "programs.PracticeSession.note": lambda e, text: practice_session_record(
        enrollment=e,
        client_token=uuid.uuid4(),
        pain_before=5,
        threat_before=5,
        pain_after=4,
        threat_after=4,
        note=text,
    ),
    "programs.FearItem.label": lambda e, text: _fear_item(e, label=text),
    "programs.Exposure.activity": lambda e, text: _exposure(e, activity=text),
    "programs.Exposure.expectation": lambda e, text: _exposure(e, expectation=text),
    "programs.Exposure.note": lambda e, text: exposure_complete(
        exposure=_exposure(e), actual_pain=3, actual_harm=10, fear_after=20, note=text
    ),
    "programs.AttributionCause.text": lambda e, text: attribution_record(
        enrollment=e,
        activity=None,
        causes=[(text, "stress"), ("Old injury", "injury"), ("Posture", "posture")],
    ),
    "programs.Reflection.text": lambda e, text: reflection_save(
        enrollment=e, activity=_activity(e, ActivityKind.REFLECTION), text=text
    ),
    "programs.CustomExercise.patient_note": lambda e, text: custom_exercise_complete(
        exercise=custom_exercise_add(
            enrollment=e, week=1, title="Walk", instructions="Walk.", reason="Why", by=e.clinician
        ),
        note=text,
    ),
    **{
        f"tracking.DiaryEntry.{name}": (
            lambda e, text, name=name: diary_entry_save(
                enrollment=e,
                episode=Episode(occurred_at=timezone.now(), pain=5, fear=4, **{name: text}),
            )
        )
        for name in ("activity_note", "self_talk")
    },
    # A patient's message to their care team (staff messages are not patient text).
    "tracking.Message.body": lambda e, text: message_send(
        enrollment=e, author=e.patient, body=text
    ),
    **{
        f"tracking.SafetyPlan.{name}": (
            lambda e, text, name=name: safety_plan_save(enrollment=e, data={name: text})
        )
        for name in SafetyPlan.TEXT_FIELDS
    },
}


def test_every_patient_text_field_has_a_writer_here():
    # A new patient text field fails here until its service scans it and it is added.
    assert patient_text_fields() == set(WRITERS)


@pytest.mark.parametrize("field", sorted(WRITERS))
def test_a_crisis_phrase_in_any_patient_text_field_raises_an_alert(enrollment, field):
    WRITERS[field](enrollment, CRISIS)
    alert = Alert.objects.get(enrollment=enrollment)
    assert (alert.kind, alert.severity) == ("self_harm", "urgent")
    assert "die" not in str(alert.details)  # never the patient's words


@pytest.mark.parametrize("field", sorted(WRITERS))
def test_ordinary_text_in_any_patient_text_field_raises_nothing(enrollment, field):
    WRITERS[field](enrollment, "This pain is killing me but the walk went fine")
    assert not Alert.objects.exists()


def test_renaming_a_fear_item_is_scanned_too(enrollment):
    item = _fear_item(enrollment)
    fear_item_update(fear_item=item, label="I want to end my life", harm_rating=40)
    assert Alert.objects.get().details["entry"] == "fear_item"


def test_a_private_reflection_is_scanned_and_its_text_stays_out_of_the_alert(enrollment):
    activity = _activity(enrollment, ActivityKind.REFLECTION)
    reflection = reflection_save(enrollment=enrollment, activity=activity, text=CRISIS)
    reflection.private = True
    reflection.save()
    alert = Alert.objects.get()
    assert alert.details == {
        "crisis_words": True,
        "entry": "reflection",
        FINGERPRINT: text_fingerprint([CRISIS]),
    }
