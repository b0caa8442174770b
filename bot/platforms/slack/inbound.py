"""What Slack sends, turned into ``Inbound`` for the app: the listeners bolt calls, and the
reading of Slack's payloads and text.

The ``/reseau`` slash command, direct messages, button clicks, mentions of the bot (``@reseau
partager …``, answered privately), messages posted in the network channel (public or
private) and replies in a thread under the bot's messages there or in a DM (with the card they
answer, read back from Slack: ``CardRef``) become ``Inbound`` for ``BotApp.handle_durably``,
which stores what changed and waits for the fsync covering it (one shared by all requests
arriving meanwhile) before the request is acknowledged (``process_before_response=True``):
what Slack saw acknowledged is never lost. When the data dir refuses the write, the request is
answered 503 before any ack (Slack shows the person an error, and sends an event again), never
as done. ``users.info`` is given at most a
second, so the ack stays within Slack's 3 s.

The answer is queued in that same transaction, as an outbox row (``ReplyTo``: in the DM for a
direct message; ephemeral through the command's ``response_url``, valid 30 minutes, then in the
person's DM; on the clicked message with ``chat.update``; under a mention or a captured link,
seen by its author only), and the dispatcher delivers it right after the ack: an outage or a
crash after the ack delays it, never loses it, and a redelivered event cannot answer twice.
Apart from delivery (``deliver.py``) because this side only reads Slack and writes nothing to
it: nothing here posts a message.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import BotApp
from bot.platforms.slack.modals import CALLBACK_ID, field_error, submitted
from bot.platforms.slack.render import action_name
from handlers.clocks import stored_time
from handlers.info import meant_for_capture
from handlers.links import labelled, looks_like_an_address
from handlers.types import CardRef, Inbound, Reply, ReplyTo

log = logging.getLogger(__name__)

PERSON_SUBTYPES = frozenset({"file_share", "thread_broadcast"})  # still a person's own text
PEOPLE_CACHE = 5000
RESPONSE_URL_LIFE = timedelta(minutes=30)  # Slack's: then the answer goes to the DM
# What the App Home shows, and ``/reseau`` alone answers: the person's to-do (the help for a
# newcomer), by the command's English name (``handlers/home.py``).
HOME_COMMAND = "todo"
_SLACK_ENTITY = re.compile(r"<([^<>]*)>")


def is_direct(channel_id: str) -> bool:
    """A one-to-one conversation: Slack's DM ids start with ``D``."""
    return channel_id.startswith("D")


def from_slack(text: str) -> str:
    """Text as Slack sends it (``<@U1>``, ``<!here>``, ``<https://x|x>``, ``&amp;``) back to what
    the person typed, so commands and captured links read naturally and nothing stays live.
    A link with a label of its own becomes the neutral ``[label](url)`` (``handlers.links``),
    so both reach the handlers; a label that is only the address, or reads like another one,
    is dropped."""

    def plain(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith(("@", "#")):
            return (target[0] + label.lstrip("@#")) if label else target
        if target.startswith("!date"):
            return label  # a date Slack formats for each reader: its fallback text
        if target.startswith("!"):
            name = label or target[1:].split("^", 1)[0]
            return "@" + name.lstrip("@")
        if target.startswith("mailto:"):
            return label or target[len("mailto:"):]
        if not label or label in target or looks_like_an_address(label):
            return target
        return labelled(target, label)

    text = _SLACK_ENTITY.sub(plain, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _mention_of(user_id: str) -> re.Pattern[str]:
    return re.compile(rf"\s*<@{re.escape(user_id)}(?:\|[^>]*)?>\s*")


def mentions(text: str, user_id: str | None) -> bool:
    """Whether Slack's ``text`` mentions ``user_id`` (``<@U…>`` or ``<@U…|name>``)."""
    return bool(user_id) and _mention_of(user_id or "").search(text) is not None


def without_mention(text: str, user_id: str | None) -> str:
    """``<@BOT> partager …`` → ``partager …``: the words addressed to the bot."""
    return _mention_of(user_id).sub(" ", text).strip() if user_id else text


def replies_to(event: dict[str, Any], user_id: str | None) -> bool:
    """A reply in a thread under a message of ``user_id`` (the bot): addressed to the bot."""
    thread = event.get("thread_ts")
    return bool(user_id) and bool(thread) and thread != event.get("ts") \
        and event.get("parent_user_id") == user_id


def card_of(ts: str, message: dict[str, Any] | None) -> CardRef:
    """The bot's message ``ts`` as a neutral card: its buttons' actions and values."""
    blocks = (message or {}).get("blocks") or []
    return CardRef(ts, tuple((action_name(str(element.get("action_id", ""))),
                              str(element.get("value", "")))
                             for block in blocks if block.get("type") == "actions"
                             for element in block.get("elements") or []
                             if element.get("action_id")))


def from_a_person(event: dict[str, Any]) -> bool:
    """Not the bot's own or another bot's message, not an edit or a deletion."""
    subtype = event.get("subtype")
    return bool(event.get("user")) and not event.get("bot_id") and (
        subtype is None or subtype in PERSON_SUBTYPES)


class SlackInbound:
    """bolt's listeners for one workspace: each Slack request becomes one ``Inbound``, handled
    durably by the app before bolt acknowledges it."""

    def __init__(self, app: BotApp, client: AsyncWebClient) -> None:
        self.app = app
        self.client = client
        self.now: Callable[[], datetime] = app.ctx.now
        self._people: dict[str, tuple[str | None, str]] = {}

    def listen(self, bolt: AsyncApp) -> None:
        """Register the listeners on ``bolt``."""

        # The state change (a position, an RSVP) and the answer to the person (an outbox row)
        # are written and fsynced before the ack, so a request Slack saw acknowledged is never
        # lost, even if the machine dies right after; the dispatcher sends the answer.

        @bolt.command("/reseau")
        async def on_command(ack: Any, command: dict[str, Any]) -> None:
            await self._command(command)
            await ack()

        @bolt.action(re.compile(".+"))
        async def on_click(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
            await self._click(body, action)
            await ack()

        @bolt.view(CALLBACK_ID)
        async def on_form(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
            reply = await self._form(body, view)
            if reply is not None and reply.message.ask is not None:  # refused: say why there
                await ack(response_action="errors", errors=field_error(reply.message))
            else:
                await ack()

        @bolt.event("message")
        async def on_message(body: dict[str, Any], event: dict[str, Any],
                             context: AsyncBoltContext) -> None:
            if not from_a_person(event):
                return
            direct = event.get("channel_type") == "im"
            threaded = replies_to(event, context.bot_user_id)  # under the bot's message
            if not direct and (event.get("channel") != self.app.network.channels.get("slack")
                               or mentions(event.get("text", ""), context.bot_user_id)
                               or not (threaded or meant_for_capture(
                                   from_slack(event.get("text", ""))))):
                return  # another channel, a mention (app_mention answers it), conversation
            event_id = body.get("event_id")
            # The event id is recorded with what the event changes, in one transaction.
            key = f"slack:{event_id}" if event_id else None
            card = await self._card(event) if threaded else None
            reply = await (self._direct(event, key, card) if direct
                           else self._capture(event, key, card))
            if reply is None:
                log.info("slack: event %s already processed (redelivery)", event_id)

        @bolt.event("app_home_opened")
        async def on_home(body: dict[str, Any], event: dict[str, Any]) -> None:
            if event.get("tab") != "home" or not event.get("user"):
                return  # the Messages tab: the conversation itself
            event_id = body.get("event_id")
            reply = await self._handle(await self._inbound(
                event["user"], "", private=True, text=HOME_COMMAND,
                reply_to=ReplyTo("slack", event["user"], "", "todo")),
                f"slack:{event_id}" if event_id else None)
            if reply is None:
                log.info("slack: event %s already processed (redelivery)", event_id)

        @bolt.event("app_mention")
        async def on_mention(body: dict[str, Any], event: dict[str, Any],
                             context: AsyncBoltContext) -> None:
            if not from_a_person(event):
                return
            event_id = body.get("event_id")
            text = without_mention(event.get("text", ""), context.bot_user_id)
            # Answered to its author only, in the thread they wrote in; files in their DM.
            answer = ReplyTo("slack", event["user"], event["channel"], "private",
                             thread=event.get("thread_ts", ""))
            reply = await self._handle(await self._inbound(
                event["user"], event["channel"], private=False, visible=True,
                text=from_slack(text), reply_to=answer),
                f"slack:{event_id}" if event_id else None)
            if reply is None:
                log.info("slack: event %s already processed (redelivery)", event_id)

    async def _person(self, user_id: str, fallback_name: str = "") -> tuple[str | None, str]:
        """The person's Slack locale and name (``users.info``, remembered for the process;
        given at most a second, as it runs before the ack)."""
        if user_id in self._people:
            return self._people[user_id]
        try:
            response = await asyncio.wait_for(
                self.client.users_info(user=user_id, include_locale=True), timeout=1.0)
        except Exception as exc:  # the answer can still go out, in the network's language
            log.warning("slack: users.info failed for a user: %s", type(exc).__name__)
            return None, fallback_name
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name") or user.get("real_name")
                or user.get("name") or fallback_name)
        if len(self._people) >= PEOPLE_CACHE:
            self._people.pop(next(iter(self._people)))
        self._people[user_id] = (user.get("locale"), name)
        return self._people[user_id]

    async def _card(self, event: dict[str, Any]) -> CardRef:
        """The message a thread reply answers, read back from Slack (``conversations.history``
        at its ``ts``, given at most a second, as it runs before the ack): its buttons tell
        which consultation it is about. Unread, it is a card naming nothing."""
        channel, ts = event.get("channel", ""), str(event.get("thread_ts", ""))
        try:
            response = await asyncio.wait_for(self.client.conversations_history(
                channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1), timeout=1.0)
        except Exception as exc:  # still answered, as a reply to a card naming nothing
            log.warning("slack: the thread's first message was not read: %s",
                        type(exc).__name__)
            return CardRef(ts)
        found = [m for m in response.get("messages") or [] if m.get("ts") == ts]
        return card_of(ts, found[0] if found else None)

    async def _handle(self, inbound: Inbound, event_key: str | None = None) -> Reply | None:
        """Handled and durable; ``None`` for an event already handled (a redelivery)."""
        if event_key is None:
            return await self.app.handle_durably(inbound)
        return await self.app.handle_once_durably(event_key, inbound)

    async def _inbound(self, user_id: str, channel_id: str, fallback_name: str = "",
                       private: bool | None = None, **what: Any) -> Inbound:
        locale, name = await self._person(user_id, fallback_name)
        return Inbound(platform="slack", user_id=user_id, chat_id=channel_id,
                       private=is_direct(channel_id) if private is None else private,
                       display_name=name, locale=locale, **what)

    def _response_url(self, url: str) -> dict[str, str]:
        """A ``response_url`` and until when Slack takes answers there (30 minutes)."""
        if not url:
            return {}
        return {"url": url, "url_until": stored_time(self.now() + RESPONSE_URL_LIFE)}

    async def _command(self, command: dict[str, Any]) -> Reply:
        """``/reseau <commande>``: handled now; answered privately (ephemeral, through the
        command's ``response_url``)."""
        user_id = command["user_id"]
        channel = command.get("channel_id", "")
        trigger = command.get("trigger_id", "")
        inbound = await self._inbound(
            user_id, channel, command.get("user_name", ""),
            private=is_direct(channel) or command.get("channel_name") == "directmessage",
            text=from_slack(command.get("text", "")).strip() or HOME_COMMAND,
            reply_to=ReplyTo("slack", user_id, channel, "private",
                             context={"trigger": trigger} if trigger else {},
                             **self._response_url(command.get("response_url", ""))),
            event=f"slack:trigger:{trigger}" if trigger else "", forms=bool(trigger))
        return await self.app.handle_durably(inbound)

    async def _direct(self, event: dict[str, Any], event_key: str | None,
                      card: CardRef | None = None) -> Reply | None:
        """A direct message to the bot is a command (or words answering the ``card`` it is
        threaded under); the answer goes back in that DM."""
        return await self._handle(await self._inbound(
            event["user"], event["channel"], visible=True,
            text=from_slack(event.get("text", "")), in_reply_to=card,
            reply_to=ReplyTo("slack", event["user"], event["channel"], "chat")), event_key)

    async def _capture(self, event: dict[str, Any], event_key: str | None,
                       card: CardRef | None = None) -> Reply | None:
        """A message in the network channel, handed to the capture handler (or, in a thread
        under the bot's ``card``, read as words answering it). A message kept gets a ✅; the
        answer (what was recorded, or why nothing was) goes to its author only, in its
        thread."""
        ts = event.get("ts", "")
        return await self._handle(await self._inbound(
            event["user"], event["channel"], private=False, capture=True, visible=True,
            text=from_slack(event.get("text", "")), in_reply_to=card,
            reply_to=ReplyTo("slack", event["user"], event["channel"], "private", message=ts,
                             thread=event.get("thread_ts") or ts)), event_key)

    async def _form(self, body: dict[str, Any], view: dict[str, Any]) -> Reply | None:
        """A modal of ours submitted: the text typed, handed to the action it was asked for.
        The answer goes privately where the click was (``form``); a refused answer (a new
        question) comes back for the modal to show."""
        read = submitted(view)
        user = (body.get("user") or {}).get("id", "")
        if read is None or not user:
            log.warning("slack: a view submission that is not ours was ignored")
            return None
        action, value, channel, text = read
        inbound = await self._inbound(
            user, channel, (body.get("user") or {}).get("name", ""),
            private=is_direct(channel) if channel else True, action=action, value=value,
            text=text, reply_to=ReplyTo("slack", user, channel or user, "form"),
            event=f"slack:view:{view.get('id', '')}:{view.get('hash', '')}", forms=True)
        return await self.app.handle_durably(inbound)

    async def _click(self, body: dict[str, Any], action: dict[str, Any]) -> Reply:
        """A button: the same handler as the typed command, handled now. The answer is shown
        on the clicked message (in a DM), or privately to the person (in a shared channel)."""
        user = body.get("user") or {}
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        clicked = body.get("message")
        urls = self._response_url(body.get("response_url", ""))
        # A question the answer asks opens a modal with the click's trigger (valid 3 s).
        trigger = body.get("trigger_id") if isinstance(body.get("trigger_id"), str) else ""
        form = {"trigger": trigger} if trigger else {}
        if (clicked and is_direct(channel) and not container.get("is_ephemeral")
                and container.get("message_ts")):
            answer = ReplyTo("slack", user.get("id", ""), channel, "edit",
                             message=container["message_ts"],
                             context={"text": clicked.get("text", ""),
                                      "blocks": clicked.get("blocks") or [], **form}, **urls)
        else:
            answer = ReplyTo("slack", user.get("id", ""), channel, "private", context=form,
                             **urls)
        event = trigger or action.get("action_ts", "")
        inbound = await self._inbound(user.get("id", ""), channel, user.get("name", ""),
                                      action=action_name(action.get("action_id", "")),
                                      value=action.get("value", ""), reply_to=answer,
                                      event=f"slack:trigger:{event}" if event else "",
                                      forms=bool(trigger))
        return await self.app.handle_durably(inbound)
