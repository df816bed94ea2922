"""Every action the app can write to the audit trail has a plain name there
(ACTION_LABELS), so a practice admin never reads a code like `patient.diary_viewed`.

The actions are read from the source, not listed here, so the test cannot go stale: a
new `audit(request, "x.y", ...)` anywhere in painapp, programs or tracking fails it
until "x.y" has a name. The functions that write events are `audit`, `audit_reads`,
`ReadEvent.of` and the AuditEvent model itself, plus every function that passes one of
its own parameters on to them as the action (found the same way: `audit_read`,
`enrollment_for_staff(viewed=...)`, the services' `_audit` helpers ...). An action
built at run time (an f-string) is expanded from the code's own lists; one the test
does not know how to expand fails it, and so does any other expression it cannot read.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tracking.clinic.views.patient import SECTIONS
from tracking.models import HoldDecision
from tracking.practice_admin.views.audit import ACTION_LABELS

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("painapp", "programs", "tracking")

# The calls that write an audit event: name -> (the action's position among the
# call's arguments, or None for keyword only; the action's keyword).
WRITERS = {
    "audit": (1, "action"),
    "audit_reads": (1, "action"),
    "ReadEvent.of": (1, "action"),
    "AuditEvent": (None, "action"),
    "AuditEvent.objects.create": (None, "action"),
    "AuditEvent.objects.get_or_create": (None, "action"),
}

Function = ast.FunctionDef | ast.AsyncFunctionDef


def _trees() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        # Migrations too: a data migration may write an event (tracking 0040 does).
        for path in sorted((ROOT / package).rglob("*.py")):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(), str(path))


def _name(func: ast.expr) -> str:
    return ast.unparse(func) if isinstance(func, ast.Name | ast.Attribute) else ""


def _spec(call: ast.Call, writers: dict) -> tuple[int | None, str] | None:
    name = _name(call.func)
    if name in writers:
        return writers[name]
    # `module.audit(...)`, `self._audit(...)`: a function found by its own name.
    short = name.rsplit(".", 1)[-1]
    return writers.get(short) if "." in name and not name[0].isupper() else None


def _action(call: ast.Call, writers: dict) -> ast.expr | None:
    spec = _spec(call, writers)
    if spec is None:
        return None
    position, keyword = spec
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _calls(tree: ast.Module) -> Iterator[tuple[Function | None, ast.Call]]:
    """Every call, with the function it is written in (None at module level)."""

    def walk(node: ast.AST, fn: Function | None) -> Iterator[tuple[Function | None, ast.Call]]:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, Function) else fn
            if isinstance(child, ast.Call):
                yield inner, child
            yield from walk(child, inner)

    yield from walk(tree, None)


def _positional(fn: Function) -> list[str]:
    names = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    return names[1:] if names[:1] in (["self"], ["cls"]) else names


def _writers(trees: list[tuple[str, ast.Module]]) -> dict:
    """WRITERS, plus every function that hands one of its parameters on to a writer as
    the action (until there are no more)."""
    writers = dict(WRITERS)
    grew = True
    while grew:
        grew = False
        for _path, tree in trees:
            for fn, call in _calls(tree):
                arg = _action(call, writers)
                if fn is None or fn.name in writers or not isinstance(arg, ast.Name):
                    continue
                positional = _positional(fn)
                if arg.id in positional:
                    writers[fn.name] = (positional.index(arg.id), arg.id)
                elif arg.id in [a.arg for a in fn.args.kwonlyargs]:
                    writers[fn.name] = (None, arg.id)
                else:
                    continue
                grew = True
    return writers


def _section_names(trees: list[tuple[str, ast.Module]]) -> list[str]:
    """The patient-record sections drawn by tracking.clinic.views.patient._section, as
    its callers name them (each audited as `patient.<name>_viewed`)."""
    names = []
    for path, tree in trees:
        for _fn, call in _calls(tree):
            if _name(call.func) == "_section":
                arg = call.args[2] if len(call.args) > 2 else None
                where = f"{path}:{call.lineno}"
                assert isinstance(arg, ast.Constant), f"{where}: name the section"
                assert arg.value in dict(SECTIONS), f"{where}: not one of the record's SECTIONS"
                names.append(arg.value)
    assert names, "no calls to _section found"
    return names


# Actions built at run time (as ast.unparse writes them) -> every value they can take.
DYNAMIC: dict[str, Callable[[list[tuple[str, ast.Module]]], list[str]]] = {
    "f'patient.{name}_viewed'": lambda trees: [
        f"patient.{section.removeprefix('patient_')}_viewed" for section in _section_names(trees)
    ],
    "f'screening.hold_{decision}'": lambda trees: [
        f"screening.hold_{decision}" for decision in HoldDecision.Decision.values
    ],
}


@dataclass
class Scan:
    codes: dict[str, str] = field(default_factory=dict)  # action -> where it is written
    unreadable: list[str] = field(default_factory=list)


def written_actions() -> Scan:
    trees = list(_trees())
    writers = _writers(trees)
    scan = Scan()

    def read(expr: ast.expr, fn: Function | None, where: str) -> None:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            scan.codes.setdefault(expr.value, where)
        elif isinstance(expr, ast.IfExp):
            read(expr.body, fn, where)
            read(expr.orelse, fn, where)
        elif isinstance(expr, ast.JoinedStr) and ast.unparse(expr) in DYNAMIC:
            for code in DYNAMIC[ast.unparse(expr)](trees):
                scan.codes.setdefault(code, where)
        elif isinstance(expr, ast.Name) and fn is not None and fn.name in writers:
            pass  # a parameter handed on: its values are read at the callers
        else:
            scan.unreadable.append(f"{where}: {ast.unparse(expr)}")

    for path, tree in trees:
        for fn, call in _calls(tree):
            arg = _action(call, writers)
            if arg is not None:
                read(arg, fn, f"{path}:{call.lineno}")
    return scan


def test_the_scan_reads_every_action_the_app_writes():
    scan = written_actions()
    # Each way of writing one is found: audit, audit_reads, a wrapper with a keyword,
    # the model itself, a conditional and both run-time families.
    for code in (
        "login.failed",
        "caseload.viewed",
        "patient.viewed",
        "enrollment.invited",
        "account.deleted",
        "reminders.resumed",
        "patient.diary_viewed",
        "screening.hold_refer",
    ):
        assert code in scan.codes, code
    assert not scan.unreadable, (
        f"Actions this test cannot enumerate (teach it, in DYNAMIC or WRITERS): {scan.unreadable}"
    )


def test_every_action_the_app_writes_has_a_plain_name():
    missing = {
        code: where for code, where in written_actions().codes.items() if code not in ACTION_LABELS
    }
    assert not missing, f"Name these in ACTION_LABELS: {missing}"


def test_every_plain_name_is_for_an_action_the_app_writes():
    # The trail's filter offers every named action: none that can never happen.
    written = written_actions().codes
    assert not [code for code in ACTION_LABELS if code not in written]
