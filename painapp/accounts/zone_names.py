"""Time zones as people read them, in their own language.

A zone is stored by its IANA name ("America/Mexico_City"); people read it as its region
and city, translated: "América / Ciudad de México", "Europa / Londres". Region names
are all translated; city names only for the places we expect our patients, clinicians
and practices to be (Spanish-speaking countries, the US and Canada, the UK and common
European zones) and where the name differs in the other language. Every other city
reads as the tz database spells it, with spaces for underscores ("Port of Spain").
The picker (painapp.accounts.forms.TimezoneInput) offers these labels and reads them
back (`zone_for_label`), as well as the IANA names themselves.
"""

from __future__ import annotations

import difflib
import unicodedata
import zoneinfo
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import get_language, override
from django.utils.translation import pgettext_lazy as _p

# The first part of a zone's name.
REGIONS: dict[str, Promise] = {
    "Africa": _p("time zone region", "Africa"),
    "America": _p("time zone region", "America"),
    "Antarctica": _p("time zone region", "Antarctica"),
    "Arctic": _p("time zone region", "Arctic"),
    "Asia": _p("time zone region", "Asia"),
    "Atlantic": _p("time zone region", "Atlantic"),
    "Australia": _p("time zone region", "Australia"),
    "Europe": _p("time zone region", "Europe"),
    "Indian": _p("time zone region", "Indian Ocean"),
    "Pacific": _p("time zone region", "Pacific"),
}

# Cities whose name differs in Spanish (the same everywhere else: no entry needed).
CITIES: dict[str, Promise] = {
    # Mexico, Central America and the Caribbean
    "America/Mexico_City": _p("time zone city", "Mexico City"),
    "America/Cancun": _p("time zone city", "Cancun"),
    "America/Merida": _p("time zone city", "Merida"),
    "America/Mazatlan": _p("time zone city", "Mazatlan"),
    "America/Panama": _p("time zone city", "Panama"),
    "America/Havana": _p("time zone city", "Havana"),
    # South America
    "America/Bogota": _p("time zone city", "Bogota"),
    "America/Asuncion": _p("time zone city", "Asuncion"),
    "America/Sao_Paulo": _p("time zone city", "Sao Paulo"),
    "Pacific/Galapagos": _p("time zone city", "Galapagos"),
    "Pacific/Easter": _p("time zone city", "Easter Island"),
    # The US and Canada
    "America/New_York": _p("time zone city", "New York"),
    "America/Los_Angeles": _p("time zone city", "Los Angeles"),
    # Spain
    "Atlantic/Canary": _p("time zone city", "Canary Islands"),
    # The UK and Europe
    "Europe/London": _p("time zone city", "London"),
    "Europe/Dublin": _p("time zone city", "Dublin"),
    "Europe/Lisbon": _p("time zone city", "Lisbon"),
    "Europe/Paris": _p("time zone city", "Paris"),
    "Europe/Berlin": _p("time zone city", "Berlin"),
    "Europe/Rome": _p("time zone city", "Rome"),
    "Europe/Amsterdam": _p("time zone city", "Amsterdam"),
    "Europe/Brussels": _p("time zone city", "Brussels"),
    "Europe/Zurich": _p("time zone city", "Zurich"),
    "Europe/Vienna": _p("time zone city", "Vienna"),
    "Europe/Stockholm": _p("time zone city", "Stockholm"),
    "Europe/Copenhagen": _p("time zone city", "Copenhagen"),
    "Europe/Warsaw": _p("time zone city", "Warsaw"),
    "Europe/Prague": _p("time zone city", "Prague"),
    "Europe/Athens": _p("time zone city", "Athens"),
    "Europe/Moscow": _p("time zone city", "Moscow"),
    # Elsewhere
    "Australia/Sydney": _p("time zone city", "Sydney"),
    "Asia/Tokyo": _p("time zone city", "Tokyo"),
}


# ------------------------------------------------------------------ canonical zones
# The tz database keeps old names working ("Asia/Calcutta", "US/Eastern",
# "Mexico/BajaNorte", "Etc/GMT+5"): links to the zone that replaced them, or zones for
# no place. People pick from the canonical ones only: the zones of zone.tab (one per
# place people live, "Asia/Kolkata"), and UTC. A value saved before, under an old name,
# still validates (any zone Python knows) and shows as the zone it links to.


def _tz_file(name: str) -> str:
    """A data file of the tz database: the system's (which Python's zoneinfo reads
    first), else the tzdata package's."""
    for root in zoneinfo.TZPATH:
        path = Path(root) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")


@cache
def canonical_zones() -> tuple[str, ...]:
    """The zones people pick from: UTC, then zone.tab's A to Z."""
    known = zoneinfo.available_timezones()
    listed = {
        line.split("\t")[2].strip()
        for line in _tz_file("zone.tab").splitlines()
        if line and not line.startswith("#")
    }
    return ("UTC", *sorted(listed & known))


@cache
def _offered() -> frozenset[str]:
    return frozenset(canonical_zones())


@cache
def _links() -> dict[str, str]:
    """Old name → the zone it links to ("L target name" lines of tzdata.zi)."""
    links = {}
    for line in _tz_file("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, name = line.split()
            links[name] = target
    return links


@cache
def _zone_countries() -> dict[str, str]:
    """IANA time zone → ISO country code, from the tz database as the pinned tzdata
    package ships it (a dependency, so in the Docker image too): zone.tab names each
    zone's country; tzdata.zi's links ("L America/New_York US/Eastern") give an old or
    other name its zone's country (US/Eastern, Europe/Belfast, America/Montreal).
    Zones of no country (UTC, Etc/GMT+5) are in neither."""
    folder = resources.files("tzdata.zoneinfo")
    try:
        table = folder.joinpath("zone.tab").read_text("utf-8")
        compiled = folder.joinpath("tzdata.zi").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return {}
    countries = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, zone, *_comment = line.split("\t")
            countries[zone] = code
    for line in compiled.splitlines():
        if line.startswith("L "):
            _l, target, link = line.split()[:3]
            if target in countries and link not in countries:
                countries[link] = countries[target]
    return countries


def zone_country(zone: str) -> str:
    """The ISO country code of a time zone ("America/New_York" → "US"), "" for a zone
    of no country (UTC) or one we do not know. The crisis numbers
    (tracking.safety.resources) and the clock style (painapp.formats.clock) start here
    when the patient has not said their country."""
    return _zone_countries().get(zone, "")


def canonical_zone(zone: str) -> str:
    """The zone to show and offer for a saved `zone`: itself when it is canonical, the
    canonical zone an old name links to ("Asia/Calcutta" → "Asia/Kolkata"), UTC for
    UTC's other names; else itself (an old name that links to nothing we offer)."""
    offered = canonical_zones()
    if zone in _offered():
        return zone
    if zone in _links():
        # An offered zone on the same clock under nearly the same name (Africa/Asmera
        # → Africa/Asmara, not the Africa/Nairobi both may link to).
        twins = _offered_by_clock().get(_clock(zone), [])
        close = difflib.get_close_matches(zone, twins, n=1, cutoff=0.85)
        if close:
            return close[0]
    seen = zone
    for _ in range(4):  # a link may point at a zone that is itself now a link
        if seen not in _links():
            break
        seen = _links()[seen]
        if seen in offered:
            return seen
    if seen in ("Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Etc/GMT", "GMT"):
        return "UTC"
    return zone


@cache
def _instants() -> tuple[datetime, datetime]:
    """When two zones' clocks are compared: now and six months from now (so both halves
    of a daylight-saving year), fixed for the process."""
    now = datetime.now(UTC)
    return now, now + timedelta(days=182)


def _clock(zone: str) -> tuple[timedelta | None, ...]:
    """A zone's clock as its offsets from UTC at _instants(): two zones keep the same
    time when these are equal. ZoneInfo(zone) is cached by zoneinfo itself."""
    tz = zoneinfo.ZoneInfo(zone)
    return tuple(when.astimezone(tz).utcoffset() for when in _instants())


@cache
def _offered_by_clock() -> dict[tuple[timedelta | None, ...], list[str]]:
    """The offered zones grouped by their clock (each group in canonical_zones()'s
    order): an old name's twins are one dict lookup away, not a comparison with each of
    ~400 zones (which took a fresh process about a minute for all old names)."""
    groups: dict[tuple[timedelta | None, ...], list[str]] = {}
    for zone in canonical_zones():
        groups.setdefault(_clock(zone), []).append(zone)
    return groups


def _readable(part: str) -> str:
    return part.replace("_", " ")


def zone_city(zone: str) -> str:
    """The city (or island, or place) of a zone in the reader's language: "Londres" for
    Europe/London in Spanish, "Port of Spain" for America/Port_of_Spain. "UTC" stays."""
    zone = canonical_zone(zone)
    if zone in CITIES:
        return str(CITIES[zone])
    return _readable(zone.rsplit("/", 1)[-1])


def zone_label(zone: str) -> str:
    """A zone as people read it, in the reader's language: region / (subregion /) city,
    "América / Ciudad de México", "América / Argentina / Buenos Aires". A name with no
    region ("UTC") stays as it is. An old name reads as its canonical zone's label
    ("Asia/Calcutta" as "Asia / Kolkata")."""
    zone = canonical_zone(zone)
    parts = zone.split("/")
    if len(parts) < 2:
        return zone
    region = str(REGIONS[parts[0]]) if parts[0] in REGIONS else _readable(parts[0])
    return " / ".join([region, *(_readable(p) for p in parts[1:-1]), zone_city(zone)])


def label_sort_key(label: str) -> tuple[str, str]:
    """Where a label goes in a list people read: by its letters, accents and case aside
    ("Europa / Ámsterdam" among the A's, "América / Ciudad de México" among the C's),
    then as written (two labels differing only by an accent keep one order)."""
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", label) if not unicodedata.combining(c)
    ).casefold()
    return folded, label


def label_key(text: str) -> str:
    """What two spellings of a zone have in common: no accents, case or extra spaces,
    underscores for spaces ("América / Ciudad de Mexico" → "america/ciudad_de_mexico",
    like "america/mexico_city")."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).lower()
    return "/".join("_".join(part.split()) for part in plain.split("/"))


@cache
def _labels_in(language: str, zones: tuple[str, ...]) -> dict[str, str]:
    """label_key of each zone's label in `language` (and of its city alone, when only
    one zone has it) → the zone."""
    with override(language):
        labels = {label_key(zone_label(z)): z for z in zones}
        cities: dict[str, list[str]] = {}
        for z in zones:
            cities.setdefault(label_key(zone_city(z)), []).append(z)
    for key, found in cities.items():
        if len(found) == 1:
            labels.setdefault(key, found[0])
    return labels


def zone_for_label(text: str, zones: tuple[str, ...]) -> str | None:
    """The zone of `zones` whose label (or city alone) `text` is, in the reader's
    language or in English (a label typed from an English page still works); None if
    none is."""
    key = label_key(text)
    if not key:
        return None
    for language in dict.fromkeys([get_language() or "en", "en"]):
        found = _labels_in(language, zones).get(key)
        if found is not None:
            return found
    return None
