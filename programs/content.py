"""Read a program's Markdown files (with YAML front matter) into plain data.

Layout, under programs/content/<slug>/ (English) and programs/content/<slug>.<code>/ (the
same program in another language, e.g. prt-back-8wk.es/: the same file names and front-
matter keys, with titles, prompts, items and steps translated; slug, kind, number,
minutes and daily identical):
  program.md             front matter: slug, title, summary, weeks; body: overview
  somatic-tracking.md    front matter: title, steps[], sensation_words[]; body: intro
  week-NN/week.md        front matter: number, title, theme; body: intro
  week-NN/NN-<slug>.md   one activity: kind, slug, title, minutes, daily?, prompt?, items?,
                         private? and fields? (reflections only, below)
  boosters/month-NN-<slug>.md   optional: one booster for the months after the last
                         week: slug, title, summary, month, minutes; body (programs.boosters)

A reflection may say `private: true`: what the patient writes there is kept to
themselves unless they choose to share that entry (stored as Activity.data["private"];
the patient's Reflection starts private). It may also list `fields:`, structured
prompts each with a `key`, a `label` and an optional `help`, answered one box each.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CONTENT_ROOT = Path(__file__).resolve().parent / "content"
DEFAULT_LANGUAGE = "en"
KINDS = {"lesson", "practice", "exposure", "reflection", "attribution", "evidence", "checkin"}


class ContentError(ValueError):
    pass


def split_front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ContentError(f"{path}: must start with '---' front matter")
    try:
        _, front, body = text.split("---\n", 2)
    except ValueError:
        raise ContentError(f"{path}: front matter is not closed with '---'") from None
    meta = yaml.safe_load(front) or {}
    if not isinstance(meta, dict):
        raise ContentError(f"{path}: front matter must be a mapping")
    return meta, body.strip()


@dataclass
class ActivityData:
    order: int
    kind: str
    slug: str
    title: str
    minutes: int
    daily: bool
    prompt: str
    body_md: str
    data: dict


@dataclass
class WeekData:
    number: int
    title: str
    theme: str
    intro_md: str
    activities: list[ActivityData] = field(default_factory=list)


@dataclass
class BoosterData:
    month: int
    slug: str
    title: str
    summary: str
    minutes: int
    body_md: str


@dataclass
class ProgramData:
    slug: str
    title: str
    summary: str
    overview_md: str
    tracking_guide: dict
    checkin_config: dict
    weeks: list[WeekData]
    content_hash: str
    language: str = DEFAULT_LANGUAGE
    boosters: list[BoosterData] = field(default_factory=list)


def content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.md")):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def folder_language(folder: Path) -> str:
    """'es' for prt-back-8wk.es/, English for a folder without a language suffix."""
    _, dot, code = folder.name.rpartition(".")
    if not dot:
        return DEFAULT_LANGUAGE
    # Checked against settings.LANGUAGES when loaded (services.program_version_load), so
    # this module stays free of Django.
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)?", code):
        raise ContentError(f"{folder}: {code!r} is not a language code like 'es'")
    return code


def read_program(folder: Path) -> ProgramData:
    meta, overview = split_front_matter(folder / "program.md")
    guide_meta, guide_intro = split_front_matter(folder / "somatic-tracking.md")
    weeks = [
        _read_week(week_dir) for week_dir in sorted(folder.glob("week-*")) if week_dir.is_dir()
    ]
    if not weeks:
        raise ContentError(f"{folder}: no week-NN folders")
    numbers = [w.number for w in weeks]
    if numbers != list(range(1, len(weeks) + 1)):
        raise ContentError(f"{folder}: weeks must be numbered 1..{len(weeks)}, got {numbers}")
    if meta.get("weeks") not in (None, len(weeks)):
        raise ContentError(f"{folder}: program.md says {meta['weeks']} weeks, found {len(weeks)}")
    slugs = [a.slug for w in weeks for a in w.activities]
    if len(slugs) != len(set(slugs)):
        raise ContentError(f"{folder}: activity slugs must be unique")
    return ProgramData(
        slug=str(meta.get("slug") or folder.name),
        title=str(meta["title"]),
        summary=str(meta.get("summary", "")),
        overview_md=overview,
        tracking_guide={
            "title": guide_meta.get("title", "Somatic tracking"),
            "intro_md": guide_intro,
            "steps": guide_meta.get("steps", []),
            "sensation_words": guide_meta.get("sensation_words", []),
        },
        checkin_config=meta.get("checkins") or {},
        weeks=weeks,
        content_hash=content_hash(folder),
        language=folder_language(folder),
        boosters=read_boosters(folder),
    )


def read_boosters(folder: Path) -> list[BoosterData]:
    """The program's boosters/ folder, by month (none if it has no such folder)."""
    boosters = []
    for path in sorted((folder / "boosters").glob("*.md")):
        meta, body = split_front_matter(path)
        month = meta.get("month")
        if not isinstance(month, int) or month < 1:
            raise ContentError(f"{path}: month must be a whole number from 1")
        if not meta.get("slug") or not meta.get("title") or not body:
            raise ContentError(f"{path}: a booster needs a slug, a title and a body")
        boosters.append(
            BoosterData(
                month=month,
                slug=str(meta["slug"]),
                title=str(meta["title"]),
                summary=str(meta.get("summary", "")),
                minutes=int(meta.get("minutes", 5)),
                body_md=body,
            )
        )
    boosters.sort(key=lambda b: b.month)
    months = [b.month for b in boosters]
    if len(months) != len(set(months)):
        raise ContentError(f"{folder}: two boosters for the same month")
    slugs = [b.slug for b in boosters]
    if len(slugs) != len(set(slugs)):
        raise ContentError(f"{folder}: booster slugs must be unique")
    return boosters


def _read_week(week_dir: Path) -> WeekData:
    meta, intro = split_front_matter(week_dir / "week.md")
    week = WeekData(
        number=int(meta["number"]),
        title=str(meta["title"]),
        theme=str(meta.get("theme", "")),
        intro_md=intro,
    )
    for order, path in enumerate(
        sorted(p for p in week_dir.glob("*.md") if p.name != "week.md"), start=1
    ):
        a_meta, body = split_front_matter(path)
        kind = a_meta.get("kind")
        if kind not in KINDS:
            raise ContentError(f"{path}: kind must be one of {sorted(KINDS)}, got {kind!r}")
        data: dict = {}
        if kind == "evidence":
            data["items"] = a_meta.get("items", [])
        data.update(_reflection_options(path, kind, a_meta))
        week.activities.append(
            ActivityData(
                order=order,
                kind=kind,
                slug=str(a_meta["slug"]),
                title=str(a_meta["title"]),
                minutes=int(a_meta.get("minutes", 5)),
                daily=bool(a_meta.get("daily", False)),
                prompt=str(a_meta.get("prompt", "") or ""),
                body_md=body,
                data=data,
            )
        )
    return week


def _reflection_options(path: Path, kind: str, meta: dict) -> dict:
    """`private` and `fields` of a reflection's front matter, checked."""
    options: dict = {}
    if "private" in meta:
        if kind != "reflection":
            raise ContentError(f"{path}: only a reflection can be private")
        if not isinstance(meta["private"], bool):
            raise ContentError(f"{path}: private must be true or false")
        if meta["private"]:
            options["private"] = True
    if "fields" in meta:
        fields = meta["fields"]
        if kind != "reflection":
            raise ContentError(f"{path}: only a reflection can have fields")
        if not isinstance(fields, list) or not fields:
            raise ContentError(f"{path}: fields must be a list of {{key, label, help}}")
        keys = set()
        for f in fields:
            if not isinstance(f, dict) or not f.get("key") or not f.get("label"):
                raise ContentError(f"{path}: each field needs a key and a label")
            if f["key"] in keys:
                raise ContentError(f"{path}: field key {f['key']!r} is used twice")
            keys.add(f["key"])
        options["fields"] = [
            {"key": str(f["key"]), "label": str(f["label"]), "help": str(f.get("help", ""))}
            for f in fields
        ]
    return options


def program_folders(slug: str | None = None) -> list[Path]:
    """Every program folder (each language its own), or those of one program's slug."""
    return sorted(
        p
        for p in CONTENT_ROOT.iterdir()
        if (p / "program.md").exists()
        and (slug is None or p.name == slug or p.name.startswith(f"{slug}."))
    )
