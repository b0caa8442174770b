"""The consultation form: the proposal, a background document, the deadline (date and time in
the network's zone), consensus or silence, the whole network or a group; submitted, the
consultation is previewed like ``consultation ouvrir``'s, and « Envoyer » opens it with that
command's own code (``handlers.consultations.opening.open_typed``)."""

from __future__ import annotations

from handlers import groups
from handlers.consultations.opening import MAX_PROPOSAL, require_may_open
from handlers.forms.fields import (
    Refused,
    answers,
    field,
    led_groups,
    link,
    moment,
    one_of,
    plain_choices,
    required,
)
from handlers.previews.openings import poll_preview
from handlers.previews.preview import keep
from handlers.roles import LEADS
from handlers.router import Request
from handlers.types import Form, Message

NAME = "consultation"
MODES = ("consensus", "silence")
WHOLE_NETWORK = "network"  # the scope: every agency, not a group
DEFAULT_TIME = "17:00"


def consultation_form(req: Request) -> Form:
    """What the person fills in; a group's chairs consult their group only."""
    active = led_groups(req)
    scopes = ([(WHOLE_NETWORK, req.t("form.scope.network"))] if req.roles & LEADS else []) \
        + [(g, g) for g in active]
    fields = [
        field(req, "proposal", "multiline", required=True, max_length=MAX_PROPOSAL),
        field(req, "document", "url"),
        field(req, "deadline_date", "date", required=True),
        field(req, "deadline_time", "time", required=True, initial=DEFAULT_TIME),
        field(req, "mode", "choice", required=True, initial=MODES[0], choices=plain_choices(
            [(m, req.t(f"form.mode.{m}")) for m in MODES])),
        field(req, "scope", "choice", required=True, initial=scopes[0][0] if scopes else "",
              choices=plain_choices(scopes)),
    ]
    return Form(action=f"form.{NAME}.send", value="", title=req.t("form.consultation.title"),
                fields=tuple(fields), submit=req.t("form.submit"), cancel=req.t("form.cancel"))


def submit(req: Request) -> Message:
    """The answers read and checked (``Refused`` names the field), then the consultation
    previewed: « Envoyer » under the preview opens it and sends it to every consulted focal
    point."""
    found = answers(req)
    proposal = required(found, "proposal")
    if len(proposal) > MAX_PROPOSAL:
        raise Refused("proposal", "error.text_too_long", limit=MAX_PROPOSAL)
    document = link(found, "document")
    if document:
        proposal = f"{proposal}\n{document}"[:MAX_PROPOSAL + 1000]
    deadline = moment(req, found, "deadline_date", "deadline_time")
    mode = one_of(found, "mode", MODES, MODES[0])
    scope = found.get("scope") or WHOLE_NETWORK
    group = None
    if scope != WHOLE_NETWORK:
        found_group = groups.find_group(req.ctx, scope)
        if found_group is None:
            raise Refused("scope", "form.error.group_needed")
        group = found_group.name
    require_may_open(req, group)
    return keep(req, "poll_open", poll_preview(req, proposal=proposal, deadline=deadline,
                                               mode=mode, group=group),
                form=NAME, answers=found)
