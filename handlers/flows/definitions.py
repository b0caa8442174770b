"""Which commands start which guided conversation, and what each conversation is made of: the
form's fields (the same ``Form`` a Slack modal shows), its submit, which of its fields are asked
together as one moment (a date and a time, read in words and confirmed), and which fields only
matter given an earlier answer (a meeting's group, only for a group's meeting)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from handlers.consultations.deadline import read_deadline
from handlers.flows import member_add
from handlers.forms import consultation, meeting, share
from handlers.forms.table import FORMS
from handlers.meetings.times import read_time_range
from handlers.roles import SECRETARIAT_ONLY
from handlers.router import Request
from handlers.types import Form, Message, Reply
from scheduler.when import Reading


@dataclass(frozen=True)
class Moment:
    """A date field and its ``time_field`` asked as one typed moment, read by ``read``."""

    time_field: str
    read: Callable[[Request, str], Reading]


def always(_: str, __: dict[str, str]) -> bool:
    return True


@dataclass(frozen=True)
class Flow:
    """One guided conversation: ``command`` (its key) starts it for ``roles``."""

    name: str
    command: str
    roles: frozenset[str]
    form: Callable[[Request], Form]
    submit: Callable[[Request], Message | Reply]
    moments: dict[str, Moment] = field(default_factory=dict)
    applies: Callable[[str, dict[str, str]], bool] = always
    # A refusal of the one-line command's code (a catalog key) and the field it is about.
    error_fields: dict[str, str] = field(default_factory=dict)

    def time_fields(self) -> set[str]:
        return {moment.time_field for moment in self.moments.values()}

    def pair(self, name: str) -> set[str]:
        """The fields answered together with ``name`` (a moment's date and time)."""
        for day, moment in self.moments.items():
            if name in (day, moment.time_field):
                return {day, moment.time_field}
        return {name}


def meeting_applies(name: str, found: dict[str, str]) -> bool:
    """A meeting's group only for a group's meeting; repeating only for the network's."""
    if name == "group":
        return found.get("kind") == "group"
    if name == "repeat":
        return found.get("kind") == "network"
    return True


def member_applies(name: str, found: dict[str, str]) -> bool:
    """The account asked only when the person is added with one (not invited by link)."""
    return name != "identity" or found.get("way") == member_add.ACCOUNT


FLOWS: dict[str, Flow] = {
    meeting.NAME: Flow(
        meeting.NAME, "meeting", FORMS[meeting.NAME][0], meeting.meeting_form, meeting.submit,
        moments={"date": Moment("time", lambda req, text: read_time_range(req, text))},
        applies=meeting_applies),
    consultation.NAME: Flow(
        consultation.NAME, "poll_open", FORMS[consultation.NAME][0],
        consultation.consultation_form, consultation.submit,
        moments={"deadline_date": Moment("deadline_time", read_deadline)}),
    share.NAME: Flow(share.NAME, "share", FORMS[share.NAME][0], share.share_form, share.submit),
    member_add.NAME: Flow(
        member_add.NAME, "member_add", SECRETARIAT_ONLY, member_add.member_form,
        member_add.submit, applies=member_applies,
        error_fields={"member_add.bad_identity": "identity",
                      "member_add.identity_taken": "identity",
                      "members.unknown_agency": "agency"}),
}
# The commands that, typed alone, start a conversation (``consultation`` alone, like its form
# on Slack, starts one for those who may open a consultation).
STARTS: dict[str, str] = {"meeting": meeting.NAME, "poll_open": consultation.NAME,
                          "poll": consultation.NAME, "share": share.NAME,
                          "member_add": member_add.NAME}
