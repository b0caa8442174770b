"""The share form: a link, its title, the Global Compact objectives it serves (the 23, named in
the reader's language) and its type; submitted, the item is stored and announced by
``partager``'s own code (``handlers.info.share_parsed``)."""

from __future__ import annotations

from handlers.forms.fields import Refused, answers, at_most, field, link, one_of, plain_choices
from handlers.info import MAX_TITLE, OBJECTIVES, TYPES, Share, share_parsed, shared_reply
from handlers.router import Request
from handlers.types import Form, Message

NAME = "share"


def share_form(req: Request) -> Form:
    fields = [
        field(req, "url", "url", required=True),
        field(req, "title", "text", max_length=MAX_TITLE),
        field(req, "objectives", "choices", choices=plain_choices(
            [(str(n), f"{n}. {req.t(f'gcm.{n}')}") for n in OBJECTIVES])),
        field(req, "type", "choice", required=True, initial="other", choices=plain_choices(
            [(t, req.t(f"info.type.{t}")) for t in TYPES])),
    ]
    return Form(action=f"form.{NAME}.send", value="", title=req.t("form.share.title"),
                fields=tuple(fields), submit=req.t("form.submit"), cancel=req.t("form.cancel"))


def submit(req: Request) -> Message:
    found = answers(req)
    url = link(found, "url")
    if url is None:
        raise Refused("url", "form.error.required")
    title = at_most(found, "title", MAX_TITLE)
    numbers = [v for v in found.get("objectives", "").split(",") if v]
    if not all(v.isdigit() and int(v) in OBJECTIVES for v in numbers):
        raise Refused("objectives", "form.error.choice")
    kind = one_of(found, "type", TYPES, "other")
    return shared_reply(req, share_parsed(req.ctx, req, Share(
        url, title, "", sorted({int(v) for v in numbers}), kind)))
