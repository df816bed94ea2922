"""Every refusal and every flash message the app writes is marked for translation, so
a Spanish-speaking patient, clinician or admin never meets an English sentence from a
service (issue 18's rule, kept by reading the source as test_audit_labels does).

Read from painapp, programs and tracking (not migrations): each `ValidationError(...)`
(Django's or forms') and each `messages.success/info/warning/error(request, ...)`. Its
message must come from gettext (`_`, `gettext`, `ngettext`, the lazy ones): a bare
string literal or an f-string fails, and so does `"..." % x` or `"...".format()`. A
dict or list of messages is read item by item, and a message dict built up in the
function (`errors["pain"] = "..."`, then `raise ValidationError(errors)`) is read too.
An f-string can never be translated: the catalogue needs one fixed sentence with named
placeholders (`%(name)s`), which a translation may put in another order.

A message no person can see may stay as it is only with its reason, in NOT_SHOWN.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("painapp", "programs", "tracking")
TRANSLATORS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
}
FLASHES = {"messages.success", "messages.info", "messages.warning", "messages.error"}

# (file, the untranslated message as ast.unparse writes it) -> why nobody sees it.
# Empty today; an entry that no longer matches anything fails the test.
NOT_SHOWN: dict[tuple[str, str], str] = {}


def _name(func: ast.expr) -> str:
    return ast.unparse(func) if isinstance(func, ast.Name | ast.Attribute) else ""


def _is_refusal(call: ast.Call) -> bool:
    return _name(call.func).rsplit(".", 1)[-1] == "ValidationError"


def _message(call: ast.Call) -> ast.expr | None:
    """The message argument of a ValidationError or a flash message, if it has one."""
    position = 0 if _is_refusal(call) else 1 if _name(call.func) in FLASHES else None
    if position is None:
        return None
    for kw in call.keywords:
        if kw.arg == "message":
            return kw.value
    return call.args[position] if len(call.args) > position else None


def untranslated(expr: ast.expr) -> Iterator[ast.expr]:
    """The parts of a message expression that are English typed in, not looked up."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        if any(c.isalpha() for c in expr.value):  # " " between two sentences is no word
            yield expr
    elif isinstance(expr, ast.JoinedStr):
        yield expr  # an f-string: never in the catalogue
    elif isinstance(expr, ast.BinOp):  # "..." % values, or "a" + "b"
        yield from untranslated(expr.left)
        if isinstance(expr.op, ast.Add):
            yield from untranslated(expr.right)
    elif isinstance(expr, ast.IfExp):
        yield from untranslated(expr.body)
        yield from untranslated(expr.orelse)
    elif isinstance(expr, ast.Dict):
        for value in expr.values:
            yield from untranslated(value)
    elif isinstance(expr, ast.List | ast.Tuple):
        for item in expr.elts:
            yield from untranslated(item)
    elif isinstance(expr, ast.Call):
        name = _name(expr.func)
        if name.rsplit(".", 1)[-1] in TRANSLATORS:
            return
        if isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
            yield from untranslated(expr.func.value)  # "...{}".format(x)
        elif name.rsplit(".", 1)[-1] == "ValidationError":
            # ValidationError(ValidationError("..."))
            message = _message(expr)
            if message is not None:
                yield from untranslated(message)
    # Anything else (a name, an attribute, a call) is read where it is made: a
    # variable's message is checked where the function fills it (below), another
    # function's result by the test of that function's own calls.


def _built_up(fn: ast.AST, variable: str) -> Iterator[ast.expr]:
    """What a function puts into a message container: `errors[k] = "..."`,
    `errors = {...}`, `errors.append("...")`."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == variable
                ) or (
                    isinstance(target, ast.Name)
                    and target.id == variable
                    and isinstance(node.value, ast.Dict | ast.List)
                ):
                    yield node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "setdefault")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == variable
            and node.args
        ):
            yield node.args[-1]


def problems_in(source: str, path: str = "<test>") -> list[tuple[str, str, str]]:
    """(file:line, what was typed in, file) for each untranslated message in `source`."""
    tree = ast.parse(source)
    found = []

    def walk(node: ast.AST, fn: ast.AST | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else fn
            if isinstance(child, ast.Call):
                message = _message(child)
                if message is not None:
                    parts = list(untranslated(message))
                    if isinstance(message, ast.Name) and inner is not None:
                        for value in _built_up(inner, message.id):
                            parts.extend(untranslated(value))
                    for part in parts:
                        found.append((f"{path}:{part.lineno}", ast.unparse(part), path))
            walk(child, inner)

    walk(tree, None)
    return found


def app_files() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts and "tests" not in path.parts:
                yield path


def scan() -> list[tuple[str, str, str]]:
    found = []
    for path in app_files():
        found += problems_in(path.read_text(), str(path.relative_to(ROOT)))
    return found


def test_the_scan_tells_typed_in_english_from_translated_messages():
    bad = """
def refuse(n, name):
    raise ValidationError("Choose a week.")
def refuse_f(n):
    raise ValidationError(f"Choose a week between 1 and {n}.")
def refuse_dict():
    raise forms.ValidationError({"body": "Write the note."})
def refuse_percent(n):
    raise ValidationError("Only %s left." % n)
def refuse_built(value):
    errors = {}
    if value:
        errors["pain"] = "0 to 10."
    raise ValidationError(errors)
def flash(request, name):
    messages.success(request, f"{name} is saved.")
"""
    assert [where for where, _text, _path in problems_in(bad)] == [
        "<test>:3",
        "<test>:5",
        "<test>:7",
        "<test>:9",
        "<test>:13",
        "<test>:16",
    ]
    good = """
def refuse(n, name, errors):
    raise ValidationError(_("Choose a week."))
    raise ValidationError(gettext("Choose a week between 1 and %(n)s.") % {"n": n})
    raise ValidationError(
        ngettext("%(n)s patient.", "%(n)s patients.", n) % {"n": n}
    )
    raise forms.ValidationError({"body": gettext("Write the note.")}, code="required")
    raise ValidationError(self.error_messages["invalid"], code="invalid")
    raise ValidationError(_("%(value)s is not a zone."), params={"value": n})
    errors["pain"] = gettext("Choose a number from 0 to 10.")
    raise ValidationError(errors)
    messages.info(request, _("Saved.") if n else _("Nothing changed."))
"""
    assert problems_in(good) == []


def test_the_scan_reads_the_apps_refusals():
    # The files the problem was found in are read: a scan of nothing passes nothing.
    files = {str(p.relative_to(ROOT)) for p in app_files()}
    for path in (
        "programs/enrollments.py",
        "programs/services.py",
        "tracking/clinic/services.py",
        "tracking/diary/services.py",
        "painapp/accounts/models.py",
    ):
        assert path in files
        assert "ValidationError(" in (ROOT / path).read_text()


def test_every_refusal_and_flash_message_is_marked_for_translation():
    found = [(where, text) for where, text, path in scan() if (path, text) not in NOT_SHOWN]
    assert not found, (
        "Mark these for translation (gettext in a function, gettext_lazy at module level, "
        f"named %(placeholders)s, never an f-string) and add the Spanish: {found}"
    )


def test_each_exception_is_still_there_and_says_why():
    found = {(path, text) for _where, text, path in scan()}
    for key, reason in NOT_SHOWN.items():
        assert key in found, f"{key} is no longer in the code: take it out of NOT_SHOWN"
        assert len(reason.split()) >= 5, f"{key}: say why nobody sees it"
