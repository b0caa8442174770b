"""A neutral ``Form`` as a Slack modal (``views.open`` with the trigger of the command, the
click or the shortcut), its submission read back into (field, value) pairs, and its refusal as
``response_action: errors``.

Pure functions, no I/O. Slack refuses a whole view when one of its limits is exceeded, so every
length is enforced here (``LIMITS``, checked by the tests on every form). Each field is an input
block whose ``block_id`` is the field's name, so a refusal names the field it is about;
``private_metadata`` carries the action the answers go to and the conversation the form was
opened from, so the submission needs nothing kept in memory.
"""

from __future__ import annotations

import json
from typing import Any

from bot.platforms.slack.modals import METADATA_MAX, TITLE_MAX
from bot.platforms.slack.render import Block, clip, split_text
from handlers.types import Form, FormField, Message

CALLBACK_ID = "reseau.form"
ELEMENT = "value"
LABEL_MAX = 2000
HINT_MAX = 2000
PLACEHOLDER_MAX = 150
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTIONS_MAX = 100
INPUT_MAX = 3000
VIEW_BLOCKS = 100
ERROR_MAX = 2000


def _plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": clip(" ".join(text.split()), limit) or "…",
            "emoji": True}


def _option(value: str, label: str) -> Block:
    return {"text": _plain(label, OPTION_TEXT_MAX), "value": value[:OPTION_VALUE_MAX]}


def _element(item: FormField) -> Block:
    """The input element for one field's kind, with what it holds when shown."""
    element: Block
    if item.kind in ("choice", "choices"):
        options = [_option(c.value, c.label) for c in item.choices][:OPTIONS_MAX]
        multi = item.kind == "choices"
        element = {"type": "multi_static_select" if multi else "static_select",
                   "options": options}
        chosen = [o for o in options if o["value"] in item.initial.split(",")]
        if chosen:
            element["initial_options" if multi else "initial_option"] = \
                chosen if multi else chosen[0]
    elif item.kind == "date":
        element = {"type": "datepicker"}
        if item.initial:
            element["initial_date"] = item.initial
    elif item.kind == "time":
        element = {"type": "timepicker"}
        if item.initial:
            element["initial_time"] = item.initial
    elif item.kind == "url":
        element = {"type": "url_text_input"}
        if item.initial:
            element["initial_value"] = item.initial
    else:
        element = {"type": "plain_text_input", "multiline": item.kind == "multiline",
                   "max_length": min(item.max_length or INPUT_MAX, INPUT_MAX)}
        if item.initial:
            element["initial_value"] = item.initial[:INPUT_MAX]
    element["action_id"] = ELEMENT
    if item.placeholder:
        element["placeholder"] = _plain(item.placeholder, PLACEHOLDER_MAX)
    return element


def _input(item: FormField) -> Block:
    block: Block = {"type": "input", "block_id": item.name, "optional": not item.required,
                    "label": _plain(item.label, LABEL_MAX), "element": _element(item)}
    if item.hint:
        block["hint"] = _plain(item.hint, HINT_MAX)
    return block


def metadata(form: Form, channel: str) -> str:
    data = json.dumps({"a": form.action, "v": form.value, "c": channel}, ensure_ascii=False)
    if len(data) > METADATA_MAX:  # names and ids only: a bug, not a person's text
        raise ValueError("private_metadata over 3,000 characters")
    return data


def form_view(message: Message, channel: str) -> dict[str, Any]:
    """The ``view`` of ``views.open``: the form's intro, then one input block per field."""
    form = message.form
    assert form is not None
    intro = [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
             for chunk in split_text(form.intro)] if form.intro else []
    inputs = [_input(item) for item in form.fields]
    blocks = (intro[: VIEW_BLOCKS - len(inputs)] + inputs)[:VIEW_BLOCKS]
    return {"type": "modal", "callback_id": CALLBACK_ID,
            "private_metadata": metadata(form, channel),
            "title": _plain(form.title, TITLE_MAX),
            "submit": _plain(form.submit or "OK", TITLE_MAX),
            "close": _plain(form.cancel or "×", TITLE_MAX),
            "blocks": blocks}


def _value(element: dict[str, Any]) -> str:
    """What one element holds, as text (several choices joined by ``,``)."""
    kind = element.get("type")
    if kind == "datepicker":
        found = element.get("selected_date")
    elif kind == "timepicker":
        found = element.get("selected_time")
    elif kind == "static_select":
        found = (element.get("selected_option") or {}).get("value")
    elif kind == "multi_static_select":
        found = ",".join(str(o.get("value", "")) for o in element.get("selected_options") or []
                         if isinstance(o, dict))
    else:
        found = element.get("value")
    return found if isinstance(found, str) else ""


Answers = tuple[tuple[str, str], ...]


def form_submitted(view: dict[str, Any]) -> tuple[str, str, str, Answers] | None:
    """``(action, value, channel, answers)`` of a submitted form of ours; ``None`` if it is
    not one."""
    try:
        data = json.loads(view.get("private_metadata") or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "avc"):
        return None
    values = (view.get("state") or {}).get("values") or {}
    answers = tuple((str(block), _value(elements.get(ELEMENT) or {}))
                    for block, elements in values.items() if isinstance(elements, dict))
    return data["a"], data["v"], data["c"], answers


def form_errors(form: Form) -> dict[str, str]:
    """``response_action: errors``'s ``errors``: why each refused field was refused."""
    return {name: (text or "…")[:ERROR_MAX] for name, text in form.errors}
