"""Every message an API error can carry is translatable (issue #12; docs/languages.md "API error messages").

Read from the source: in a service's refusal (DomainError and its kin, an import's row error, an issuance reason)
or a DRF exception, a message is a lazy translation or a literal the catalogues hold as a msgid, never an f-string,
`"...".format()` or `"..." % ...` (a message with a value in it is no msgid: no catalogue can translate it, and the
error handler answers such an error whole in English). The corpus in test_api_error_languages.py checks the answers
themselves; this check reaches the refusals the corpus does not send.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

from core.catalogues import parse, po_path

APPS = ("core", "registry", "credentials", "outcomes")
# Call name -> positions of its message arguments (keyword `message`/`detail` and every `fields` value too).
MESSAGE_ARGUMENTS = {
    "DomainError": (1,),
    "Conflict": (1,),
    "VerificationInputError": (1,),
    "NotAllowed": (0,),
    "ParseError": (0,),
    "NotFound": (0,),
    "PermissionDenied": (0,),
    "TooDeeplyNested": (0,),
    "RowError": (3,),
    "_RowError": (2,),
    "_row_error": (3,),
    "Reason": (1,),
}


def _name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_built(node) -> bool:
    """An f-string, "...".format(...) or "..." % ...: a message with its values already in it."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Call) and _name(node.func) == "format" and isinstance(node.func.value, ast.Constant):
        return True
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant)


def _messages(call: ast.Call) -> list[ast.AST]:
    """The message expressions of a refusal: its message arguments, `message=`/`detail=`, the `fields` values."""
    found = [call.args[i] for i in MESSAGE_ARGUMENTS[_name(call.func)] if i < len(call.args)]
    for keyword in call.keywords:
        if keyword.arg in ("message", "detail"):
            found.append(keyword.value)
        elif keyword.arg == "fields" and isinstance(keyword.value, ast.Dict | ast.DictComp):
            values = keyword.value.values if isinstance(keyword.value, ast.Dict) else [keyword.value.value]
            for value in values:
                found.extend(value.elts if isinstance(value, ast.List) else [value])
    return found


def _problems(source: str, where: str, msgids: set[str]) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and _name(node.func) in MESSAGE_ARGUMENTS):
            continue
        for message in _messages(node):
            line = f"{where}:{message.lineno}"
            if _is_built(message):
                problems.append(f"{line}: a message built with its values: {ast.unparse(message)[:90]}")
            elif isinstance(message, ast.Constant) and message.value and message.value not in msgids:
                problems.append(f"{line}: a literal no catalogue holds: {message.value[:90]!r}")
    return problems


@pytest.fixture(scope="module")
def msgids() -> set[str]:
    return {entry.msgid for entry in parse(po_path("en")) if entry.msgid}


def test_every_refusal_message_in_the_code_is_translatable(msgids):
    root = Path(settings.BASE_DIR)
    problems = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts or "management" in path.parts:  # commands print English
                continue
            problems += _problems(path.read_text(encoding="utf-8"), str(path.relative_to(root)), msgids)
    assert not problems, "\n".join(problems)


def test_the_check_finds_built_and_unknown_messages():
    source = """
DomainError("too_long", f"Longer than {n} characters.")
DomainError("x", "Choose one of {}.".format(choices), fields={"f": ["At most %d." % n]})
RowError(line, "field", "code", "A literal nobody listed.")
NotAllowed(format_lazy(_("Your role may not do this ({permission})."), permission=p))
DomainError("not_found", "Required.")
"""
    problems = _problems(source, "x.py", {"Required."})
    assert [p.split(": ", 1)[1][:20] for p in problems] == [
        "a message built with",
        "a message built with",
        "a message built with",
        "a literal no catalog",
    ]
