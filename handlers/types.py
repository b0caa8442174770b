"""The neutral types every platform speaks through: what comes in, what goes out.

Adapters turn a Slack event, a Telegram update or a console line into an ``Inbound``, and render a
``Message`` for their platform; handlers never see anything platform-specific.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from storage.models import Member
from storage.records import field_names, json_copy

PLATFORMS = ("console", "slack", "telegram")
# Where a secret goes in a message's text until it is minted, just before the message leaves.
SECRET_MARK = "⟦secret⟧"


@dataclass(frozen=True)
class Button:
    """A choice offered under a message; ``hint`` is the typed command that does the same."""

    action: str
    value: str
    label: str
    hint: str = ""
    style: str | None = None  # "primary" | "danger" | None


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (a calendar file, a digest). Names are generated, never typed."""

    filename: str
    content: bytes
    media_type: str
    caption: str = ""  # shown with the file where the platform allows it (Telegram)


@dataclass(frozen=True)
class Secret:
    """A secret a message carries, named rather than written: a sign-in code (``link``) or a
    knowledge-page token (``knowledge``) for ``member_id``. It is minted only when the message
    is handed to a platform, where ``SECRET_MARK`` stands in its text; a copy kept on disk (the
    outbox) therefore holds no working secret, and each retry mints a fresh one."""

    kind: str
    member_id: str


@dataclass
class Message:
    """What the bot says, written once and rendered by each adapter within its platform's limits.

    Example::

        Message(title="Réunion n° 3", paragraphs=["mardi 1 décembre 2026 à 10:00"],
                buttons=[Button("rsvp.yes", "3", "Présent·e", hint="présent 3")])
    """

    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    secret: Secret | None = None
    # Lines that each carry their own buttons (a to-do list): shown with their buttons under
    # them where the platform allows it (Slack sections, Telegram keyboard rows).
    entries: list[Entry] = field(default_factory=list)
    ask: Ask | None = None  # a text asked of the reader (a reason), rendered natively
    form: Form | None = None  # several fields asked at once (a meeting), rendered natively
    live: str = ""  # "<kind>:<args>": written as it leaves, from what is true then (handlers.live)

    def to_dict(self) -> dict[str, Any]:
        """The stored form (``asdict``'s, written out: a message is stored per recipient)."""
        return {
            "title": self.title, "paragraphs": list(self.paragraphs),
            "fields": [{"label": f.label, "value": f.value} for f in self.fields],
            "buttons": [{"action": b.action, "value": b.value, "label": b.label,
                         "hint": b.hint, "style": b.style} for b in self.buttons],
            "attachments": [{"filename": a.filename,
                             "content": base64.b64encode(a.content).decode("ascii"),
                             "media_type": a.media_type, "caption": a.caption}
                            for a in self.attachments],
            "secret": asdict(self.secret) if self.secret is not None else None,
            **({"entries": [entry.to_dict() for entry in self.entries]} if self.entries
               else {}),
            **({"ask": asdict(self.ask)} if self.ask is not None else {}),
            **({"form": asdict(self.form)} if self.form is not None else {}),
            **({"live": self.live} if self.live else {})}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            title=data.get("title", ""),
            paragraphs=list(data.get("paragraphs", [])),
            fields=[Field(**f) for f in data.get("fields", [])],
            buttons=[Button(**b) for b in data.get("buttons", [])],
            attachments=[
                Attachment(a["filename"], base64.b64decode(a["content"]), a["media_type"],
                           a.get("caption", ""))
                for a in data.get("attachments", [])
            ],
            secret=Secret(**data["secret"]) if data.get("secret") else None,
            entries=[Entry.from_dict(e) for e in data.get("entries", [])],
            ask=Ask(**data["ask"]) if data.get("ask") else None,
            form=Form.from_dict(data["form"]) if data.get("form") else None,
            live=data.get("live", ""),
        )

    @property
    def empty(self) -> bool:
        """Nothing to show: no text, no button, no file."""
        return not (self.plain_text().strip() or self.buttons or self.attachments
                    or self.entries)

    def plain_text(self) -> str:
        """Every visible line, for logs, fallbacks and tests."""
        lines = [self.title] if self.title else []
        lines += self.paragraphs
        lines += [f"{f.label}: {f.value}" for f in self.fields]
        lines += [entry.text for entry in self.entries]
        return "\n".join(lines)


@dataclass(frozen=True)
class Inbound:
    """One thing a person did: a command typed, or a button clicked.

    ``text`` holds the words of a command (without any ``/`` prefix); ``action``/``value`` a click.
    ``member`` is filled in by the app from the identity; ``None`` means an unknown user.
    """

    platform: str
    user_id: str
    chat_id: str = ""
    private: bool = True
    text: str | None = None
    action: str | None = None
    value: str = ""
    display_name: str = ""
    locale: str | None = None  # the language the person's app is set to, if the platform says
    member: Member | None = None
    capture: bool = False  # a message posted in a group chat, not addressed to the bot
    # What the person wrote is there for everyone in ``chat_id`` to read (a message posted in a
    # group chat, unlike a Slack slash command): no need to post it there again.
    visible: bool = False
    # ``locale`` is the person's own (kept for what the bot sends them later); the console's is
    # the terminal's, i.e. the operator's, so it answers with it but does not keep it.
    remember_locale: bool = True
    # Where the answer goes when it is queued in the outbox with what the event changed (Slack,
    # Telegram); ``None``: the adapter shows ``Reply.message`` itself (the console).
    reply_to: ReplyTo | None = None
    # The platform's own id for this event (``slack:<event_id>``, ``slack:trigger:<trigger_id>``,
    # ``telegram:update:<update_id>``): the answer's idempotency key.
    event: str = ""
    # The bot's message this one answers (a Telegram reply to it, a Slack thread under it), if
    # any. In a group chat, only such a reply is read as addressed to the bot.
    in_reply_to: CardRef | None = None
    # The platform shows an ``Ask`` as a form of its own, answered apart (a Slack modal opened
    # with this click's trigger): the person's next message is not taken as the answer.
    forms: bool = False
    # Typed as a command the platform marks as one (Telegram's ``/name``): never an answer.
    explicit: bool = False
    # The person's username on the platform (Telegram's ``@name``), shown to whoever decides
    # about them: their display name alone may be anyone's.
    handle: str = ""
    # A form's fields as submitted (``Form``): (field name, value) pairs, several chosen
    # values joined by ``,``; the form's name is in ``value``.
    answers: tuple[tuple[str, str], ...] = ()
    converses: bool = False  # a command typed alone asks each argument in turn (handlers.flows)

    @property
    def identity(self) -> str:
        return f"{self.platform}:{self.user_id}"

    def with_member(self, member: Member | None) -> Inbound:
        return replace(self, member=member)


@dataclass(frozen=True)
class Reply:
    """The answer to the person who acted; ``accepted`` says a message posted in a group chat
    was taken in (Slack marks it ✅)."""

    message: Message
    language: str
    accepted: bool = False


@dataclass(frozen=True)
class ReplyTo:
    """Where the answer to one event goes, as the adapter that received the event describes it.

    Handlers never read it: the app queues the answer with it, in the transaction of what the
    event changed, and the same platform's adapter renders it when the dispatcher delivers it.
    ``mode`` says what the person sees:

    - ``chat``: a message in the conversation the event came from (a direct message answered
      in the DM; in a Telegram group, a reply to ``message``);
    - ``private``: seen by the person only, in that conversation (a Slack slash command's
      ephemeral answer through ``url``, or under ``thread``; a Telegram group click's toast),
      else in their private chat;
    - ``edit``: under the clicked message ``message`` (the answer added to it), else private;
    - ``form``: the answer to a form the platform showed (a Slack modal's submission): a new
      ``Ask`` (the answer refused) is shown in the form by the adapter, not queued; anything
      else goes as ``private``.

    ``url`` is an address the platform gave to answer this event (Slack's ``response_url``),
    usable until ``url_until`` (UTC ISO 8601); ``user`` is the person's id on the platform,
    whose private chat is where an answer goes when nothing else can take it; ``accepted``: the
    person's message is marked as taken in (``Reply.accepted``). ``context`` holds what only
    the adapter reads (the clicked message as it was, a callback query's id).
    """

    platform: str
    user: str
    chat: str
    mode: str = "chat"
    message: str = ""
    thread: str = ""
    url: str = ""
    url_until: str = ""
    accepted: bool = False
    context: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``asdict``'s form without empty fields (a JSON copy: ``context`` can be large)."""
        return {name: json_copy(value) for name in field_names(ReplyTo)
                if (value := getattr(self, name)) or name in ("platform", "user", "chat", "mode")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReplyTo:
        """Rows written by an older version may hold fields since removed: they are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{name: value for name, value in data.items() if name in known})


@dataclass(frozen=True)
class Recipient:
    """Who an outgoing message is for.

    ``kind`` is ``member`` (``ref`` = member id), ``identity`` (``ref`` = ``platform:user`` of
    someone not yet a member), ``channel`` (``ref`` = ``network`` or a group's channel name) or
    ``reply`` (the answer to one event: ``ref`` = ``platform:user`` of the person who acted,
    ``reply`` = where and how it is shown) or ``card`` (an edit of a card delivered earlier:
    ``ref`` = its ``storage.cards.Card`` id).
    ``skip``: the one chat (``platform:chat id``) a channel message is not posted to (where it
    was posted first); for a card, the copy (``platform:user``) a click's answer already edits.
    """

    kind: str
    ref: str
    skip: str = ""
    reply: ReplyTo | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "ref": self.ref}
        if self.skip:
            data["skip"] = self.skip
        if self.reply is not None:
            data["reply"] = self.reply.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipient:
        reply = data.get("reply")
        return cls(data["kind"], data["ref"], data.get("skip", ""),
                   ReplyTo.from_dict(reply) if reply else None)

    @classmethod
    def answer(cls, reply_to: ReplyTo) -> Recipient:
        return cls("reply", f"{reply_to.platform}:{reply_to.user}", reply=reply_to)


@dataclass(frozen=True)
class Outgoing:
    """A message for one recipient, already in the recipient's language; ``key`` makes it once."""

    recipient: Recipient
    message: Message
    language: str
    key: str


@dataclass(frozen=True)
class Entry:
    """One line of a list with the buttons that act on it (an item of a person's to-do)."""

    text: str
    buttons: tuple[Button, ...] = ()
    # A short name (« 🗳 3 ») put before its buttons' labels where they cannot sit under the
    # line they act on (a Telegram keyboard is under the whole message).
    tag: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": [asdict(b) for b in self.buttons],
                "tag": self.tag}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        return cls(data.get("text", ""), tuple(Button(**b) for b in data.get("buttons", [])),
                   data.get("tag", ""))


@dataclass(frozen=True)
class CardRef:
    """One of the bot's messages that a person replied to, as the adapter read it: the
    platform's id for it (a Slack ``ts``, a Telegram ``message_id``) and the buttons it carries
    as (action, value) pairs — what tells a handler which consultation a card is about
    (``position.agree`` / ``12.3``). No buttons: a message of the bot's that names nothing the
    handler can use (an announcement, or a card the platform would not show again)."""

    message: str = ""
    buttons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Ask:
    """A text asked of the person, then handed to an action: "ask this person for a text,
    then call ``action`` with ``value`` and the text" (the answer's ``Inbound`` carries
    ``action``, ``value`` and the text in ``text``). Carried by a ``Message`` whose paragraphs
    say what is asked; each adapter shows it natively (a Slack modal, a Telegram reply prompt,
    a question on the console), and a form's refused answer comes back as a new ``Ask``.

    ``title`` names the form (short: Slack allows 24 characters), ``label`` the field,
    ``required`` says whether an empty answer is refused; ``until`` (UTC ISO 8601) is when a
    reply stops being taken as the answer."""

    action: str
    value: str
    title: str
    label: str
    placeholder: str = ""
    required: bool = False
    submit: str = ""
    cancel: str = ""
    until: str = ""


@dataclass(frozen=True)
class Choice:
    """One option of a ``FormField`` of kind ``choice`` or ``choices``."""

    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One field of a ``Form``. ``kind``: ``text``, ``multiline``, ``url``, ``date``
    (YYYY-MM-DD), ``time`` (HH:MM, in the network's zone), ``choice`` (one of ``choices``) or
    ``choices`` (several). ``initial`` is what it holds when shown (several values joined by
    ``,``); ``hint`` is said under it."""

    name: str
    kind: str
    label: str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    initial: str = ""
    placeholder: str = ""
    hint: str = ""
    max_length: int = 0


@dataclass(frozen=True)
class Form:
    """Several fields asked at once, then handed to ``action`` with ``value`` and the answers
    (``Inbound.answers``). Each adapter shows it natively (a Slack modal); a refused answer
    comes back as the same form with ``errors``: (field name, why) pairs, in the reader's
    language. ``title`` is short (Slack allows 24 characters)."""

    action: str
    value: str
    title: str
    fields: tuple[FormField, ...]
    submit: str = ""
    cancel: str = ""
    errors: tuple[tuple[str, str], ...] = ()
    intro: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Form:
        return cls(
            action=data["action"], value=data.get("value", ""), title=data.get("title", ""),
            fields=tuple(FormField(**{**f, "choices": tuple(Choice(**c) for c in
                                                            f.get("choices", ()))})
                         for f in data.get("fields", ())),
            submit=data.get("submit", ""), cancel=data.get("cancel", ""),
            errors=tuple(tuple(e) for e in data.get("errors", ())),  # type: ignore[misc]
            intro=data.get("intro", ""))
