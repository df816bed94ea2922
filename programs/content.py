"""Read a program's Markdown files (with YAML front matter) into plain data.

Layout, under programs/content/<slug>/ (English) and programs/content/<slug>.<code>/ (the
same program in another language, e.g. prt-back-8wk.es/: the same file names and front-
matter keys, with titles, prompts, items and steps translated; slug, kind, number,
minutes and daily identical):
  program.md             front matter: slug, title, summary, weeks; body: overview
  somatic-tracking.md    front matter: title, steps[] (key, title, seconds, text, and
                         timer: false for a step with no timer), sensation_words[];
                         body: intro
  week-NN/week.md        front matter: number, title, theme; body: intro
  week-NN/NN-<slug>.md   one activity: kind, slug, title, minutes, daily?, prompt?, items?,
                         private? and fields? (reflections only, below). A check-in
                         (kind: checkin) has no `minutes` and its text states none:
                         its length is the patient's own check-in's
                         (tracking.checkins.services.checkin_length), shown by the
                         pages (programs.views.lengths); it is stored as 0.
  boosters/month-NN-<slug>.md   optional: one booster for the months after the last
                         week: slug, title, summary, month, minutes; body (programs.boosters)

A program may also be built from another program's files, session by session (the
4-week "trial dose" program, prt-back-4wk/, uses the 8-week program's lessons and
activities, so no lesson is written twice). Its program.md names the `source` program
and lists, for each session, the source's files it uses, in order:

  program.md             front matter: slug, title, summary, weeks, checkins, source,
                         sessions: {"week-01/session-1": [week-01/01-how-pain-works.md, …]}
  week-NN/week.md        front matter: number, title, theme; body: intro (new text)
  week-NN/session-N.md   front matter: title; body: the session's introduction (new text)

The source is read in the same language (prt-back-4wk.es/ uses prt-back-8wk.es/), from
the folder beside this one (else from programs/content/). The somatic-tracking guide is
the source's unless the folder has its own. Wording in a shared file that depends on
the program's length is written "[if 4 weeks]…[else]…[end]" and settled here
(programs.content_conditions.resolve_weeks). The content hash covers the files used, so
a change to a shared lesson makes a new version of every program that uses it.

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

from programs.content_conditions import WEEKS_CONDITION, resolve_weeks

CONTENT_ROOT = Path(__file__).resolve().parent / "content"
DEFAULT_LANGUAGE = "en"
# The program a new enrollment gets unless the admin picks another (the invitation
# form's first choice, a bulk-import row with no program): the 8-week self-practice
# program. The 4-week trial-dose program (prt-back-4wk) is chosen on purpose.
DEFAULT_PROGRAM = "prt-back-8wk"
KINDS = {"lesson", "practice", "exposure", "reflection", "attribution", "evidence", "checkin"}


class ContentError(ValueError):
    pass


def split_front_matter(path: Path, *, weeks: int | None = None) -> tuple[dict, str]:
    """The front matter and body of `path`; with `weeks`, the "[if N weeks]" wording
    settled for a program of that many weeks."""
    text = path.read_text(encoding="utf-8")
    if weeks is not None:
        text = resolve_weeks(text, weeks=weeks)
        if WEEKS_CONDITION.search(text) or "[if " in text.replace("[if assessed]", "").replace(
            "[if not assessed]", ""
        ):
            raise ContentError(f"{path}: a condition is not closed with [end]")
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
class SessionData:
    """One session of a week (programs built session by session): its own title and
    introduction, and the slugs of its activities, in order."""

    number: int
    title: str
    intro_md: str
    activities: list[str]


@dataclass
class WeekData:
    number: int
    title: str
    theme: str
    intro_md: str
    activities: list[ActivityData] = field(default_factory=list)
    sessions: list[SessionData] = field(default_factory=list)


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


def content_hash(folder: Path, used: dict[str, Path] | None = None) -> str:
    """sha256 of the folder's files and of the files it `used` from another program
    (by the name it used them under)."""
    digest = hashlib.sha256()
    files = [(p.relative_to(folder).as_posix(), p) for p in sorted(folder.rglob("*.md"))]
    files += sorted((f"source:{name}", path) for name, path in (used or {}).items())
    for name, path in files:
        digest.update(name.encode())
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
    if meta.get("source"):
        return _read_composed(folder, meta, overview)
    week_dirs = [d for d in sorted(folder.glob("week-*")) if d.is_dir()]
    weeks = [_read_week(week_dir, week_count=len(week_dirs)) for week_dir in week_dirs]
    _check_weeks(folder, meta, weeks)
    guide_meta, guide_intro = split_front_matter(folder / "somatic-tracking.md")
    return _program_data(
        folder,
        meta,
        overview,
        weeks,
        (guide_meta, guide_intro),
        content_hash(folder),
        read_boosters(folder, weeks=len(weeks)),
    )


def _check_weeks(folder: Path, meta: dict, weeks: list[WeekData]) -> None:
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


def _program_data(
    folder: Path,
    meta: dict,
    overview: str,
    weeks: list[WeekData],
    guide: tuple[dict, str],
    digest: str,
    boosters: list[BoosterData],
) -> ProgramData:
    guide_meta, guide_intro = guide
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
        content_hash=digest,
        language=folder_language(folder),
        boosters=boosters,
    )


def read_boosters(folder: Path, *, weeks: int | None = None) -> list[BoosterData]:
    """The program's boosters/ folder, by month (none if it has no such folder); with
    `weeks`, their "[if N weeks]" wording settled for a program of that many weeks."""
    boosters = []
    for path in sorted((folder / "boosters").glob("*.md")):
        meta, body = split_front_matter(path, weeks=weeks)
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


def _read_week(week_dir: Path, *, week_count: int) -> WeekData:
    meta, intro = split_front_matter(week_dir / "week.md", weeks=week_count)
    week = WeekData(
        number=int(meta["number"]),
        title=str(meta["title"]),
        theme=str(meta.get("theme", "")),
        intro_md=intro,
    )
    for order, path in enumerate(
        sorted(p for p in week_dir.glob("*.md") if p.name != "week.md"), start=1
    ):
        week.activities.append(_read_activity(path, order=order, week_count=week_count))
    return week


def _read_activity(path: Path, *, order: int, week_count: int) -> ActivityData:
    a_meta, body = split_front_matter(path, weeks=week_count)
    kind = a_meta.get("kind")
    if kind not in KINDS:
        raise ContentError(f"{path}: kind must be one of {sorted(KINDS)}, got {kind!r}")
    data: dict = {}
    if kind == "evidence":
        data["items"] = a_meta.get("items", [])
    data.update(_reflection_options(path, kind, a_meta))
    if kind == "checkin" and "minutes" in a_meta:
        raise ContentError(
            f"{path}: a check-in states no minutes (the app shows the patient's own "
            "check-in's length)"
        )
    return ActivityData(
        order=order,
        kind=kind,
        slug=str(a_meta["slug"]),
        title=str(a_meta["title"]),
        minutes=0 if kind == "checkin" else int(a_meta.get("minutes", 5)),
        daily=bool(a_meta.get("daily", False)),
        prompt=str(a_meta.get("prompt", "") or ""),
        body_md=body,
        data=data,
    )


# ------------------------------------------------- programs built from another's files

SESSION_FILE = re.compile(r"session-(\d+)\.md")


def source_folder(folder: Path, source: str) -> Path:
    """The `source` program's folder in `folder`'s language: beside `folder` (so a copy
    of both folders loads from the copy), else under programs/content/."""
    language = folder_language(folder)
    name = source if language == DEFAULT_LANGUAGE else f"{source}.{language}"
    for candidate in (folder.parent / name, CONTENT_ROOT / name):
        if (candidate / "program.md").is_file():
            return candidate
    raise ContentError(f"{folder}: its source program {name!r} was not found")


def _read_composed(folder: Path, meta: dict, overview: str) -> ProgramData:
    source = source_folder(folder, str(meta["source"]))
    source_meta, _ = split_front_matter(source / "program.md")
    if source_meta.get("source"):
        raise ContentError(f"{folder}: its source {source.name} is itself built from another")
    plan = meta.get("sessions")
    if not isinstance(plan, dict) or not plan:
        raise ContentError(f"{folder}: program.md must list the files of each session")
    week_dirs = [d for d in sorted(folder.glob("week-*")) if d.is_dir()]
    count = len(week_dirs)
    used: dict[str, Path] = {}
    weeks = []
    for week_dir in week_dirs:
        week_meta, intro = split_front_matter(week_dir / "week.md", weeks=count)
        week = WeekData(
            number=int(week_meta["number"]),
            title=str(week_meta["title"]),
            theme=str(week_meta.get("theme", "")),
            intro_md=intro,
        )
        files = sorted(
            (int(m[1]), p) for p in week_dir.glob("*.md") if (m := SESSION_FILE.fullmatch(p.name))
        )
        if [n for n, _ in files] != list(range(1, len(files) + 1)) or not files:
            raise ContentError(f"{week_dir}: sessions must be session-1.md, session-2.md, …")
        for number, path in files:
            key = f"{week_dir.name}/session-{number}"
            refs = plan.get(key)
            if not isinstance(refs, list) or not refs:
                raise ContentError(f"{folder}: program.md lists no files for {key}")
            session_meta, session_intro = split_front_matter(path, weeks=count)
            slugs = []
            for ref in refs:
                ref = str(ref)
                target = source / ref
                if ".." in Path(ref).parts or Path(ref).is_absolute() or not target.is_file():
                    raise ContentError(f"{folder}: {key} uses {ref}, not a file of {source.name}")
                if ref in used:
                    raise ContentError(f"{folder}: {ref} is used twice")
                used[ref] = target
                activity = _read_activity(target, order=len(week.activities) + 1, week_count=count)
                week.activities.append(activity)
                slugs.append(activity.slug)
            week.sessions.append(
                SessionData(
                    number=number,
                    title=str(session_meta["title"]),
                    intro_md=session_intro,
                    activities=slugs,
                )
            )
        weeks.append(week)
    listed = {
        f"{w}/session-{s.number}"
        for w, week in zip((d.name for d in week_dirs), weeks, strict=True)
        for s in week.sessions
    }
    if extra := sorted(set(plan) - listed):
        raise ContentError(f"{folder}: program.md lists sessions with no file: {extra}")
    _check_weeks(folder, meta, weeks)
    guide_path = folder / "somatic-tracking.md"
    if not guide_path.exists():
        guide_path = used["somatic-tracking.md"] = source / "somatic-tracking.md"
    guide = split_front_matter(guide_path, weeks=count)
    # The monthly boosters after the last week: the program's own, else its source's
    # (their week wording settled for this program, like its lessons).
    boosters_folder = folder if (folder / "boosters").is_dir() else source
    if boosters_folder is source:
        for path in sorted((source / "boosters").glob("*.md")):
            used[f"boosters/{path.name}"] = path
    boosters = read_boosters(boosters_folder, weeks=count)
    return _program_data(
        folder,
        meta,
        resolve_weeks(overview, weeks=count),
        weeks,
        guide,
        content_hash(folder, used),
        boosters,
    )


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
