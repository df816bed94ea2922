"""The default crisis words and where the weekly safety items go."""

from __future__ import annotations

from collections.abc import Sequence

# Re-exported: readers ask rules.DEFAULT_CRISIS_WORDS_ES.
from tracking.rules.crisis_words_es import DEFAULT_CRISIS_WORDS_ES as DEFAULT_CRISIS_WORDS_ES
from tracking.rules.measures import PHQ2, PHQ9
from tracking.rules.screening import NEW_SYMPTOMS, WEEKLY_SAFETY

# ====================================================================== crisis words (issue 15)
# Where a fall or a vehicle is named ("jump off the bridge", "throw myself under a
# train"): each verb form × each place. The Spanish ones are in crisis_words_es.
_HEIGHTS_EN = tuple(
    f"{the} {place}"
    for the in ("a", "the", "my")
    for place in ("bridge", "building", "roof", "balcony", "cliff", "tower", "car park")
)
_TRAFFIC_EN = tuple(
    f"{the} {vehicle}"
    for the in ("a", "the")
    for vehicle in ("train", "bus", "car", "truck", "lorry")
) + ("traffic", "oncoming traffic")

# Pills kept back to take at once ("I have pills saved up", "stockpiling my tablets").
_PILLS_EN = ("pills", "tablets", "meds", "painkillers", "sleeping pills")
_KEEPING_PILLS_EN = (
    "save up", "save up my", "stockpile", "stockpile my", "hoard", "hoard my", "stash of",
)  # fmt: skip

DEFAULT_CRISIS_WORDS: tuple[str, ...] = (
    # Wishing to die / not to be alive
    "want to die",
    "wish i was dead",
    "wish i were dead",
    "better off dead",
    "better off without me",
    "do not want to be here",
    "do not want to be alive",
    "do not want to live",
    "do not want to wake up",
    "do not want to exist",
    "rather be dead",
    "rather die",
    "rather not be alive",
    "rather not exist",
    "want to be dead",
    "wish i could die",
    "wish i could just die",
    "wish i would die",
    "wish i did not exist",
    "wish i was never born",
    "wish i had never been born",
    "want to stop existing",
    "want to disappear",
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
    "can not go on",
    "not worth living",
    "life is not worth",
    "no point living",
    "no point in living",
    "no point to living",
    "no point being alive",
    "no point in being alive",
    "what is the point of living",
    "life is pointless",
    "tired of living",
    "sick of living",
    "tired of being alive",
    "sick of being alive",
    "as well be dead",
    "might as well die",
    "may as well die",
    "better off gone",
    "better without me",
    "wish i was not here",
    "wish i were not here",
    "wish i was not alive",
    "wish i were not alive",
    "wish i was not around",
    "wish i were not around",
    "wish i was gone",
    "wish i were gone",
    "no longer want to live",
    "no longer want to be alive",
    "no longer want to be here",
    "do not wish to live",
    "do not want to go on living",
    "do not want to keep living",
    "do not want to carry on living",
    "no reason to go on living",
    "not see the point in living",
    "not see the point of living",
    "tired of existing",
    "want to not be here",
    "want to not be alive",
    "want to not exist",
    "want it all to end",
    "want it all to stop",
    "want it all to be over",
    "want everything to end",
    "want everything to stop",
    "wish it would all end",
    "wish it would all stop",
    "wish it was all over",
    "wish it were all over",
    "end my life",
    "end my own life",
    "end it all",
    "ending it all",
    "ending it",
    "want to end it",
    "take my own life",
    "taking my own life",
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
    "selfharm",
    "self injury",
    "self injure",
    "self injuring",
    "self injured",
    "cut myself",
    "cutting myself",
    "overdose",
    *(f"{pills} {kept}" for pills in _PILLS_EN for kept in ("saved up", "stockpiled", "hoarded")),
    *(f"{verb} {pills}" for verb in _KEEPING_PILLS_EN for pills in _PILLS_EN),
    # A fourth review: going on, being better off, waking up, being done with life.
    "better off if i was gone",
    "better off if i were gone",
    "better off if i was not here",
    "better off if i were not here",
    "better off if i was not around",
    "better off if i were not around",
    "better off if i was dead",
    "better off if i were dead",
    "better off if i died",
    "better off when i am gone",
    "better off when im gone",
    "better off with me gone",
    "better with me gone",
    "do not want to go on",
    "do not want to carry on",
    "do not want to keep going",
    "no longer want to go on",
    "no point going on",
    "no point in going on",
    "no point carrying on",
    "no point in carrying on",
    "no reason to go on",
    "no reason to carry on",
    "what is the point of going on",
    "what is the point in going on",
    "not see the point in going on",
    "not see the point of going on",
    "wish i would not wake up",
    "wish i did not wake up",
    "wish i never woke up",
    "hope i do not wake up",
    "hope i will not wake up",
    "done with life",
    "done with living",
    "done with my life",
    "done with being alive",
    "finished with life",
    "had enough of life",
    "had enough of living",
    "took all my pills",
    "took all my tablets",
    "taken all my pills",
    "taken all my tablets",
    "swallowed all my pills",
    "swallowed all my tablets",
    "no will to live",
    "lost the will to live",
    "lost my will to live",
    "losing the will to live",
    "hang myself",
    "unalive",
    # A method named (a third review: "shoot myself" was missed)
    "shoot myself",
    "shooting myself",
    "blow my brains out",
    "gun to my head",
    "poison myself",
    "poisoning myself",
    "drown myself",
    "drowning myself",
    "stab myself",
    "stabbing myself",
    "slit my wrists",
    "slit my wrist",
    "slash my wrists",
    "cut my wrists",
    "cut my wrist",
    "cutting my wrists",
    *(
        f"{verb} {way} {place}"
        for verb in ("jump", "throw myself")
        for way in ("off", "from")
        for place in _HEIGHTS_EN
    ),
    *(
        f"{verb} {way} {vehicle}"
        for verb in ("jump", "step", "throw myself")
        for way in ("in front of", "under")
        for vehicle in _TRAFFIC_EN
    ),
)
"""Phrases in a patient's free text that start the safety workflow like PHQ-9 item 9
(PRT_NOTES.md, Safety): always checked, in every practice, with the Spanish list; a
practice's own list (PracticeSettings.crisis_words) only adds to them. Written in the
scanner's normal form (lower case, no accents, apostrophes dropped, other punctuation
and hyphens as spaces, contractions spelt out by CONTRACTIONS: "don't" and "dont" are
"do not", "can't" and "cannot" are "can not", "wanna" is "want to", "kill my-self" is
"kill my self"), matched as whole words, each word of WORD_FORMS in any of its forms
("end my life" also finds "ending my life").

Added after a tester's review (contractions and word forms now handled, so "life
isn't worth living", "I wish I wasn't here", "I'm thinking about ending my life" are
found): "no point (in) living", "tired of living", "sick of being alive", "might as
well be dead", "wish I was not here / alive / around / gone", "no longer want to
live", "do not want to go on / keep living", "tired of existing", "don't see the point
of living", "want it all to end / stop / be over", "better off gone". "tired of living
with this pain" and "tired of living in pain" do not match (NOT_CRISIS): patients
write them every week about the pain; "tired of living like this" does match.

Added after a fourth review: "better off if I was gone / when I'm gone", "don't want
to go on / carry on", "no point going on", "wish I wouldn't wake up", "hope I don't
wake up", "done with life", "had enough of life", pills "saved up" / stockpiled /
hoarded. Spared by NOT_CRISIS only in plainly everyday talk ("I can't go on walking
far", "I cut myself shaving"); "I save my pills for bad days" is not listed.

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


CONTRACTIONS: dict[str, str] = {
    # English, as the scanner sees it once apostrophes are dropped ("isn’t" → "isnt").
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "werent": "were not",
    "cant": "can not",
    "cannot": "can not",
    "couldnt": "could not",
    "wont": "will not",
    "wouldnt": "would not",
    "shouldnt": "should not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "aint": "is not",
    "whats": "what is",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
}
"""Short forms spelt out in the scanner's normal form, in the text and in every list,
so one phrase ("do not want to live") finds "don't", "don’t", "dont" and "do not".
Only words that mean nothing else ("ill", "id", "well", "shell" are left alone)."""

WORD_FORMS: dict[str, tuple[str, ...]] = {
    "end": ("ends", "ended", "ending"),
    "want": ("wants", "wanted", "wanting"),
    "wish": ("wishes", "wished", "wishing"),
    "hope": ("hopes", "hoped", "hoping"),
    "hang": ("hangs", "hanged", "hanging"),
    "jump": ("jumps", "jumped", "jumping"),
    "throw": ("throws", "threw", "throwing"),
    "step": ("steps", "stepped", "stepping"),
    "overdose": ("overdoses", "overdosed", "overdosing"),
    "harm": ("harms", "harmed", "harming"),
    "selfharm": ("selfharms", "selfharmed", "selfharming"),
    "save": ("saves", "saved", "saving"),
    "stockpile": ("stockpiles", "stockpiled", "stockpiling"),
    "hoard": ("hoards", "hoarded", "hoarding"),
}
"""Verbs of the lists that a phrase also finds in their other forms ("end my life":
"ending my life", "ended my life"; "want to die": "wanted to die"). Only from the
plain form: "ending it" is listed on its own, and a bare "end it" still does not match.
"kill" is not here: "killed myself at the gym" is everyday talk ("kill myself" and
"killing myself" are listed). Nor is "take": "the pain has taken my life over" is a
complaint, not a plan ("take my life" and "taking my own life" are listed as they are).
"harm": "self harm" also finds "self-harming", "self-harmed"; "harm myself" finds
"harmed myself"."""

_PAIN = tuple(
    f"{prep} {which}{what}"
    for prep in ("with", "in")
    for which in ("", "this ", "the ", "my ", "chronic ", "constant ", "all this ", "so much ")
    for what in ("pain", "back pain")
)
_PAIN_ES = tuple(
    f"con {which}dolor" for which in ("", "este ", "el ", "tanto ", "mucho ", "todo este ")
)
_AT_WORK = tuple(
    f"{when}{where}"
    for when in ("", "today ", "tonight ", "this week ", "this morning ")
    for where in ("at work", "at the office", "on the team", "in the team", "in the meeting")
)

_NEEDLE = tuple(
    f"{prep} {the} {thing}"
    for prep in ("with",)
    for the in ("a", "the", "my")
    for thing in ("needle", "pen", "insulin pen", "injection", "syringe", "lancet")
) + ("by accident", "accidentally")
# Going on with a walk, a trip or an exercise, not with life: "I can't go on walking
# far", "no point going on holiday", "no quiero seguir con este ejercicio".
_GO_ON_EN = (
    "walking", "walks", "a walk", "long walks", "holiday", "a holiday", "holidays",
    "vacation", "a trip", "the trip", "the bike", "the treadmill", "exercising", "running",
    "working", "with the exercise", "with this exercise", "with the exercises",
    "with these exercises", "with exercise", "with the program", "with this program",
    "with the programme", "with this programme", "with the session", "with this session",
    "with the stretches", "with the walk", "the medication", "medication", "painkillers",
    "the pills", "the waiting list",
)  # fmt: skip
_SEGUIR_ES = (
    "con este ejercicio", "con el ejercicio", "con los ejercicios", "con estos ejercicios",
    "con el programa", "con este programa", "con la sesion", "con esta sesion",
    "con el tratamiento", "con la medicacion", "con las pastillas", "con la operacion",
    "con la cirugia", "con la caminata", "caminando", "andando", "tomando", "trabajando",
    "en el trabajo", "en este trabajo", "en mi trabajo", "en el programa", "en este programa",
    "haciendo este", "haciendo el", "haciendo los", "haciendo ejercicio", "el ritmo",
)  # fmt: skip
# Waking in the night or in pain, a sleep note: "I wish I didn't wake up so early".
_WAKE_EN = (
    "at night", "in the night", "during the night", "every night", "so early", "early",
    "so often", "in pain", "with pain", "stiff", "sore", "tired",
)  # fmt: skip
_WAKE_ES = (
    "a las", "de madrugada", "tan temprano", "temprano", "en la noche", "por la noche",
    "durante la noche", "cada noche", "con dolor", "tantas veces", "cansada", "cansado",
)  # fmt: skip
# A haircut, the nails, a kitchen cut, or someone else cutting (accents gone, "me
# cortó" reads as "me corto"): "me corté el pelo", "el médico me cortó la medicación".
_CUT_ES = (
    "el pelo", "el cabello", "el flequillo", "la barba", "las puntas", "las unas",
    "una una", "la una", "el dedo", "un dedo", "los dedos", "cocinando", "al cocinar",
    "pelando", "en la cocina", "afeitandome", "al afeitarme", "con un papel",
    "con el papel", "la sesion", "la llamada", "la medicacion", "la respiracion",
    "el rollo", "un pelo", "la digestion", "la leche", "el dolor",
)  # fmt: skip
_CUT_EN = ("shaving", "while shaving", "cooking", "while cooking", "chopping", "in the kitchen")
# Medicine kept where it should be: "tengo las pastillas guardadas en el botiquín".
_STORED_ES = (
    "en el botiquin", "en el cajon", "en la cocina", "en el bano", "en la mesilla",
    "en la mesita", "bajo llave", "en su caja", "en la caja", "en un lugar seguro",
    "fuera del alcance", "de los ninos", "de mis hijos", "de mis nietos",
)  # fmt: skip
_HANG_ES = (
    "la mochila", "el bolso", "la bolsa", "la ropa", "el abrigo", "de la barra",
    "en la barra", "de una barra", "boca abajo", "del marco",
)  # fmt: skip

NOT_CRISIS: dict[str, tuple[str, ...]] = {
    # Pain talk, not a wish to die: "I'm tired of living with this pain".
    "tired of living": (*_PAIN, "with a bad back", "with my back"),
    "sick of living": (*_PAIN, "with a bad back", "with my back"),
    "cansado de vivir": (*_PAIN_ES, "con la espalda", "con mi espalda"),
    "cansada de vivir": (*_PAIN_ES, "con la espalda", "con mi espalda"),
    "harto de vivir": (*_PAIN_ES, "con la espalda", "con mi espalda"),
    "harta de vivir": (*_PAIN_ES, "con la espalda", "con mi espalda"),
    # Fear of movement, this program's daily talk: "no point living in fear of bending".
    "living": ("in fear",),
    # Everyday idioms: "I want it all to end up in the right place", "I want it all to
    # stop hurting", "I wanted to die of embarrassment".
    "end": ("up",),
    "stop": ("hurting", "aching", "hurt"),
    "die": ("of embarrassment", "of laughing", "laughing", "of boredom"),
    # Work and holidays: "my team is better without me today at work", "I wish I
    # wasn't here at work", "I wish I was gone on holiday".
    "without me": _AT_WORK,
    "not here": _AT_WORK,
    "gone": ("on holiday", "on vacation", "on a trip", "for the weekend"),
    # "I overdosed on coffee" (not caffeine: caffeine tablets are a real overdose).
    "overdose": ("on coffee", "on sugar", "on chocolate"),
    # Movement and work, not a method: "I threw myself off balance reaching up", "I'm
    # drowning myself in work", "me voy a colgar la mochila".
    "drown myself": ("in work", "in paperwork", "in coffee", "in tea"),
    "drowning myself": ("in work", "in paperwork", "in coffee", "in tea"),
    # "I keep shooting myself in the foot", "I stab myself with the insulin pen".
    "shoot myself": ("in the foot",),
    "shooting myself": ("in the foot",),
    "stab myself": _NEEDLE,
    "stabbing myself": _NEEDLE,
    # A bag, or hanging from a bar (a common back stretch): "voy a colgarme la mochila",
    # "me voy a colgar de la barra".
    "colgar": _HANG_ES,
    "colgarme": _HANG_ES,
    # Taking the medicine as the doctor said: "I took all my pills as prescribed".
    "pills": ("as prescribed", "on time"),
    "tablets": ("as prescribed", "on time"),
    # A fourth review's phrases, spared only in the everyday talk above.
    "go on": _GO_ON_EN,
    "going on": _GO_ON_EN,
    "carry on": _GO_ON_EN,
    "carrying on": _GO_ON_EN,
    "keep going": _GO_ON_EN,
    "seguir": _SEGUIR_ES,
    "wake up": _WAKE_EN,
    "despertar": _WAKE_ES,
    "despertarme": _WAKE_ES,
    "despertara": _WAKE_ES,
    "me despertara": _WAKE_ES,
    "me despierte": _WAKE_ES,
    "cut myself": _CUT_EN,
    "me corte": _CUT_ES,
    "me corto": _CUT_ES,
    "cortarme": _CUT_ES,
    "cortado": _CUT_ES,
    "cortando": _CUT_ES,
    "cortandome": _CUT_ES,
    "a cortar": _CUT_ES,
    "done with living": _PAIN,
    "had enough of living": _PAIN,
    "pastillas": _STORED_ES,
    "guardadas": _STORED_ES,
    "escondidas": _STORED_ES,
    "guardados": _STORED_ES,
    "escondidos": _STORED_ES,
}
"""Pain talk and everyday idioms that hold a crisis phrase (a fourth review added the
guards for going on, waking up, cutting and stored pills: "I can't go on walking far",
"no quiero seguir con este ejercicio", "me corté el pelo", "el médico me cortó la
medicación", "I wish I didn't wake up so early", "pastillas guardadas en el botiquín"): a phrase of
the lists that ends in one of these keys does not match when the words right after it are one of the
key's endings ("tired of living" + "with this pain"; a verb's other forms too: "wanted
to die" + "of embarrassment"). Only the very next words count, in the same sentence: a
full stop, comma, semicolon, colon, "!" or "?" in between and the phrase matches ("I'm
tired of living. With all this pain I can't see a way"), and so does any other ending
("tired of living with myself", "tired of living with the guilt", "cansada de vivir
con él"). Nothing is taken out of the text, so another phrase in it still matches
("tired of living with this pain and I want to die"; "I want it all to stop hurting
myself" holds "hurting myself").

Reviewed choices: "better without me", "wish I was not here" and "wish I was gone"
still match before a bare time word ("they'd be better without me today"): only the
plainly everyday places above spare them. When in doubt a phrase matches: a false
alarm costs a short call, a missed one far more. Keys and endings are in the
scanner's normal form."""


COMMON_WORDS: frozenset[str] = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "do", "for", "from", "he", "her",
        "his", "i", "if", "in", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our",
        "she", "so", "that", "the", "their", "them", "they", "this", "to", "too", "up", "was", "we",
        "were", "what", "when", "who", "will", "with", "you", "your", "yes", "ok", "am", "have",
        "has", "had", "did", "does", "can", "just", "all", "any", "how", "y", "o", "e", "u", "el",
        "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "al", "en", "con", "por",
        "para", "que", "se", "su", "sus", "mi", "mis", "tu", "es", "son", "lo", "le", "les", "ya",
        "si", "muy", "mas", "pero", "como",
    }
)  # fmt: skip
"""Words too common to be a crisis word on their own: an entry of a practice's list
made only of these ("the", "a / e", "I am") would match almost everything a patient
writes, so it is refused, as is one of fewer than MIN_CRISIS_WORD_LETTERS letters."""

MIN_CRISIS_WORD_LETTERS = 3


def too_common_crisis_word(normal: str) -> bool:
    """Whether a practice's entry, in the scanner's normal form, is too short or too
    common to mean anything ("", "e", "ok", "the", "i am")."""
    words = normal.split()
    letters = sum(len(w) for w in words)
    return letters < MIN_CRISIS_WORD_LETTERS or all(w in COMMON_WORDS for w in words)


def builtin_crisis_words() -> tuple[str, ...]:
    """The phrases every practice's patients' writing is checked for: English and
    Spanish, whatever the practice's own list says."""
    return (*DEFAULT_CRISIS_WORDS, *DEFAULT_CRISIS_WORDS_ES)


def default_crisis_words() -> list[str]:
    """PracticeSettings.crisis_words' default: no words of the practice's own (the
    built-in lists are always checked; the practice's list only adds)."""
    return []


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
