"""A typed answer to one question read and checked with the forms' own checks
(``handlers.forms.fields``): a choice by its number, value or name, several choices by their
numbers, a link as the one-line commands take it, a text within its length. A refusal is the
forms' ``Refused`` (the field, and why in the catalog)."""

from __future__ import annotations

from handlers.forms.fields import Refused, link
from handlers.settings import fold
from handlers.types import FormField

YES_WORDS = frozenset({"oui", "yes", "o", "y", "ok"})
NO_WORDS = frozenset({"non", "no", "n"})
SKIP_WORDS = frozenset({"passer", "skip", "-", "aucun", "none"})


def word(text: str) -> str:
    """The typed text as a command word is compared (case, accents, a leading ``/``)."""
    return fold(text.strip().lstrip("/").strip())


def choice(field: FormField, text: str) -> str:
    """The value of the choice typed: its number in the list, its value or its label."""
    typed = word(text)
    for number, option in enumerate(field.choices, start=1):
        if typed in (str(number), fold(option.value), fold(option.label)):
            return option.value
    starting = [o.value for o in field.choices if fold(o.label).startswith(typed)]
    if typed and len(starting) == 1:
        return starting[0]
    raise Refused(field.name, "form.error.choice")


def choices(field: FormField, text: str) -> str:
    """Several choices by their numbers (« 2 21 », « 2, 21 »), as a form hands them back."""
    picked: list[str] = []
    for part in text.replace(",", " ").replace(";", " ").split():
        if not part.isdigit() or not 1 <= int(part) <= len(field.choices):
            raise Refused(field.name, "form.error.choice")
        value = field.choices[int(part) - 1].value
        if value not in picked:
            picked.append(value)
    return ",".join(picked)


def text(field: FormField, typed: str) -> str:
    """A text, a link or a choice, checked as the form checks it."""
    value = typed.strip()
    if not value:
        raise Refused(field.name, "form.error.required")
    if field.kind == "choice":
        return choice(field, value)
    if field.kind == "choices":
        return choices(field, value)
    if field.kind == "url":
        return link({field.name: value}, field.name) or ""
    if field.max_length and len(value) > field.max_length:
        raise Refused(field.name, "error.text_too_long", limit=field.max_length)
    return value
