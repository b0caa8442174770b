"""The form of ``membre ajouter`` for a guided conversation: the agency, then how the person
joins — an invitation (a link to forward: they open it and are added, no id to find; the
secretariat's ``membre inviter``), or an account already known (``plateforme:id``) — then their
name. Submitted, the one-line command's own code runs (``membre inviter`` or ``membre
ajouter``, checked as if typed)."""

from __future__ import annotations

from handlers.email_identity import is_email_identity
from handlers.forms.fields import Refused, answers, plain_choices, required
from handlers.members import IDENTITY, MAX_NAME
from handlers.router import Request
from handlers.types import Form, FormField, Reply

NAME = "member_add"
INVITE, ACCOUNT = "invite", "account"
MAX_IDENTITY = 70


def member_form(req: Request) -> Form:
    agencies = [(a.code, str(a.acronym(req.lang))) for a in req.ctx.network.agencies]
    fields = (
        FormField("agency", "choice", req.t("flow.field.agency"), required=True,
                  choices=plain_choices(agencies)),
        FormField("way", "choice", req.t("flow.field.way"), required=True,
                  choices=plain_choices([(w, req.t(f"flow.way.{w}")) for w in (INVITE,
                                                                                ACCOUNT)])),
        FormField("identity", "text", req.t("flow.field.identity"), required=True,
                  placeholder="telegram:123456789", max_length=MAX_IDENTITY),
        FormField("name", "text", req.t("flow.field.name"), max_length=MAX_NAME),
    )
    return Form(action="", value="", title=req.t("flow.member_add.title"), fields=fields)


def submit(req: Request) -> Reply:
    """The invitation made (its link shown, minted as it leaves), or the member added."""
    found = answers(req)
    agency = required(found, "agency")
    name = found.get("name", "")
    if found.get("way") != ACCOUNT:
        return req.router.run(req, "member_invite", f"{agency} {name}".strip())
    identity = required(found, "identity")
    if not (IDENTITY.match(identity) or is_email_identity(identity)):
        raise Refused("identity", "member_add.bad_identity", typed=identity[:MAX_IDENTITY])
    if not name:
        raise Refused("name", "form.error.required")
    return req.router.run(req, "member_add", f"{agency} {identity} {name}")
