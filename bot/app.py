"""The wiring: storage, the network, the catalogs, the router and the dispatcher, in one object.

Every platform adapter hands its ``Inbound`` to ``BotApp.handle_durably``: identity, then
permission and handler (the router), all of it one storage transaction, then a nudge to the
dispatcher to deliver what the handler queued. The adapter acknowledges the platform only once the
fsync covering that transaction is done, so what a platform saw acknowledged is never lost. The
answer to the person is in that transaction too, as an outbox row (``Inbound.reply_to`` says
where it goes), so it reaches them once, after an outage or a crash as well; only the console
shows its answer itself.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.dispatch.contract import Adapter
from bot.dispatch.dispatcher import Dispatcher
from bot.jobs_table import JOB_HANDLERS, source_of
from bot.pacing import AcksFirst
from handlers import delivery, prompts, scheduled, todo_views
from handlers.commands import build_router
from handlers.console_seat import Seat, give_console_identity, seat_for
from handlers.context import REPLY_RELEVANCE, Context, utc_now
from handlers.flows import typed as flow_answers
from handlers.groups import seed_groups
from handlers.i18n import Catalog
from handlers.members import seed_members
from handlers.minting import reveal
from handlers.roles import LEADS, roles_of
from handlers.settings import Network
from handlers.types import Inbound, Message, Outgoing, Recipient, Reply
from scheduler.jobs import (
    INSTALLED,
    JobSpec,
    Rules,
    Source,
    all_jobs,
    jobs_of,
)
from scheduler.retries import with_retries
from scheduler.runner import JobRunner
from scheduler.when import warm_up
from storage.faults import StorageUnavailable
from storage.identity import Identity
from storage.journal import JournalError
from storage.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

class BotApp:
    """One bot process's state. Build it, add adapters, then ``handle`` and ``dispatcher``."""

    def __init__(self, store: Store, network: Network,
                 clock: Callable[[], datetime] = utc_now,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.network = network
        self.files_dir = store.data_dir / "files"  # where the console writes attachments
        self.catalog = Catalog.load()
        self.ctx = Context(store, network, self.catalog, clock, monotonic)
        self.router = build_router(self.catalog)
        # Requests waiting for their ack go before what follows acks (bot/pacing.py): the
        # adapters count them, the dispatcher and the answers after an ack take turns.
        self.acks_first = AcksFirst()
        self.dispatcher = Dispatcher(store, network, self.catalog, {}, clock=clock,
                                     ctx=self.ctx, pace=self.acks_first.turn)
        self.jobs = JobRunner(network.timezone, self.run_job)
        # Jobs whose work is on the network, not in storage (the mailbox: ``bot/mail_replies.py``),
        # each run outside any transaction by what registered it; and how often it reads.
        self.async_jobs: dict[type, Callable[[Any], Awaitable[object]]] = {}
        self.mail_every: timedelta | None = None
        with store.transaction():
            store.jobs_done.mark(INSTALLED, self.ctx.now_iso())  # only the first start counts
            # Event ids older than the previous month are of no use against redeliveries.
            first_of_month = self.ctx.now().replace(day=1)
            store.events.forget_before((first_of_month - timedelta(days=1)).isoformat()[:7])
            seeded = seed_members(self.ctx)
            seed_groups(self.ctx)
            store.deployment.uid()  # made once, here, not by the first feed someone reads
            store.signing_keys.key()  # likewise, not by the first email carrying links
        store.sync_now()
        if seeded:
            log.info("seeded %s members from the configuration", seeded)

    def add_adapter(self, adapter: Adapter, *, fallback: bool = False) -> None:
        self.dispatcher.adapters[adapter.platform] = adapter
        if fallback:
            self.dispatcher.fallback = adapter
            self.ctx.delivers_all = True
        else:
            self.ctx.delivers_to.add(adapter.platform)

    def set_start_link(self, platform: str, template: str) -> None:
        """An adapter says how to open its private chat with a payload (``{payload}`` in
        ``template``), for the links handlers give people (``handlers/deeplinks.py``)."""
        self.ctx.start_links[platform] = template

    def set_web_url(self, url: str) -> None:
        """Where this process serves its web pages, for the links handlers give people
        (``handlers/web_paths.py`` holds the paths)."""
        self.ctx.web_url = url.rstrip("/")

    def leads_on(self, platform: str) -> list[tuple[str, frozenset[str]]]:
        """The co-chairs and the secretariat with an account on ``platform``: (user id, the
        roles that decide their commands), for menus scoped to their own chat."""
        found = []
        for member in self.store.members.active():
            if LEADS.isdisjoint(member.roles):
                continue
            roles = roles_of(member, self.network, self.ctx.is_group_chair(member))
            found += [(identity.user, roles) for identity in map(Identity.parse, member.identities)
                      if identity.platform == platform]
        return found

    def lead_roles(self, identity: str) -> frozenset[str] | None:
        """The roles of the co-chair or secretariat member with ``identity``, else ``None``."""
        member = self.store.members.by_identity(identity)
        if member is None or LEADS.isdisjoint(member.roles):
            return None
        return roles_of(member, self.network, self.ctx.is_group_chair(member))

    def first_time(self, key: str) -> bool:
        """``False`` if the platform event ``key`` was already processed (a redelivery);
        ``StorageUnavailable`` when it cannot be recorded (the platform must send it again).
        Call it inside the transaction of the event's own changes (``handle_once_durably``
        does): written apart, a crash between the two would make the platform's retry look like
        a duplicate."""
        try:
            return self.store.events.first_time(key, self.ctx.now_iso())
        except OSError as error:
            raise StorageUnavailable(error) from error

    def not_processed(self, key: str) -> None:
        """The event ``key`` was recorded, then could not be handled (storage refused a write):
        its redelivery must be handled, not skipped."""
        self.store.events.forget(key)

    def handle(self, inbound: Inbound) -> Reply:
        """Answer one event from any platform, as one storage transaction (written, not yet
        fsynced); what it queued is delivered by the dispatcher.

        Raises ``StorageUnavailable`` when the data dir refuses a write: nothing may then be
        answered as done, so the adapter refuses the request (Slack and Telegram show an error
        or send it again) instead of a reply."""
        try:
            return self._handle(inbound)
        except StorageUnavailable as error:
            log.error("%s: %s refused", error, self.command_name(inbound))
            raise
        except OSError as error:
            log.error("storage refused a write: %s: %s refused", error,
                      self.command_name(inbound))
            raise StorageUnavailable(error) from error

    def _handle(self, inbound: Inbound) -> Reply:
        started = time.perf_counter()
        with self.store.transaction():
            wrote = self.store.writes_to(todo_views.SOURCES)
            member = self.store.members.by_identity(inbound.identity)
            inbound = inbound.with_member(member)
            if inbound.remember_locale:
                self.ctx.remember_locale(member, inbound.locale)
            delivery.heard_from(self.ctx, inbound)  # what waited for this account can go now
            inbound = flow_answers.answering(self.ctx, inbound)  # a guided conversation
            inbound = prompts.answering(self.ctx, inbound)  # the answer to a question asked
            reply = self.router.handle(self.ctx, inbound)
            prompts.remember(self.ctx, inbound, reply)
            answered = False
            if inbound.reply_to is not None:
                answered = self._queue_answer(inbound, reply)
            elif reply.message.secret is not None:
                reply = self._reveal(reply)
            answered = self._refresh_todo_views(wrote) or answered
        self.dispatcher.wake(answer=answered)
        self.follow_changes()
        log.info("handled", extra={
            "platform": inbound.platform, "member": member.id if member else None,
            "command": self.command_name(inbound),
            "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
        return reply

    def _queue_answer(self, inbound: Inbound, reply: Reply) -> bool:
        """The answer to the person, as an outbox row in the transaction of what the event
        changed: acknowledged together, so a crash or a platform outage after the ack delays
        it, never loses it. Its key is the event's, so a redelivery cannot queue it twice; a
        secret it carries is minted by the dispatcher as it leaves."""
        message = reply.message
        if message.empty:
            return False  # nothing to say (ordinary conversation in a group)
        assert inbound.reply_to is not None
        if (message.ask or message.form) is not None and inbound.reply_to.mode == "form":
            return False  # a form's refused answer: the adapter shows why in the form
        reply_to = replace(inbound.reply_to, accepted=reply.accepted)
        event = inbound.event or f"{inbound.platform}:anonymous:{secrets.token_hex(8)}"
        if reply_to.mode == todo_views.MODE:  # the person opened their to-do view
            return todo_views.publish(self.ctx, Identity(reply_to.platform, reply_to.user),
                                      message, reply.language, f"answer:{event}", force=True)
        return self.ctx.queue(Outgoing(Recipient.answer(reply_to), message, reply.language,
                                       f"answer:{event}"), relevance=REPLY_RELEVANCE)

    def _reveal(self, reply: Reply) -> Reply:
        """An answer the adapter shows itself (the console) carrying a secret: minted now, as
        it is shown at once."""
        shown = reveal(self.ctx, reply.message)
        if shown is None:  # the handler checked the member: only a race gets here
            reference = secrets.token_hex(3)
            log.error("secret not minted for an answer (ref %s): member inactive", reference)
            shown = Message(paragraphs=[self.ctx.t(reply.language, "error.internal",
                                                   ref=reference)])
        return replace(reply, message=shown)

    def _refresh_todo_views(self, wrote: tuple[int, ...]) -> bool:
        """The to-do views (Slack's App Home) whose content this transaction changed, queued
        in it — looked at only when it wrote what views are made of (``wrote``: the counts of
        those writes before it); a failure here is logged and never costs the request its
        answer."""
        if self.store.writes_to(todo_views.SOURCES) == wrote:
            return False
        try:
            return todo_views.refresh(self.ctx) > 0
        except OSError:
            raise
        except Exception:
            log.exception("to-do views not refreshed")
            return False

    async def handle_durably(self, inbound: Inbound) -> Reply:
        """``handle``, then wait for the fsync that covers it: what adapters call before they
        acknowledge the platform."""
        reply = self.handle(inbound)
        await self._durable()
        return reply

    async def handle_once_durably(self, event_key: str, inbound: Inbound) -> Reply | None:
        """``handle_durably`` for a platform event with an id (a Slack event, a Telegram
        update): the id is recorded in the same transaction as what the event changed, and
        ``None`` comes back for a redelivery — once what the first delivery changed is durable,
        so the duplicate is never acknowledged before the original."""
        if not inbound.event:
            inbound = replace(inbound, event=event_key)
        try:
            with self.store.transaction():
                reply = self.handle(inbound) if self.first_time(event_key) else None
        except OSError as error:
            raise StorageUnavailable(error) from error
        await self._durable()
        return reply

    async def durably(self, work: Callable[[], T]) -> T:
        """Run ``work`` (storage changes outside a handler, e.g. the console giving a member
        a console identity) as one transaction and wait until it is durable."""
        with self.store.transaction():
            result = work()
        self.follow_changes()
        await self._durable()
        return result

    async def console_seat(self, who: str, locale: str | None) -> Seat:
        """Who sits at the console (``handlers/console_seat.py``); a member without a console
        identity is given one, durably, before the chat starts."""
        seat = seat_for(self.ctx, who, locale)
        if seat.new_identity:
            await self.durably(lambda: give_console_identity(self.ctx, seat))
        return seat

    async def _durable(self) -> None:
        """Wait for the fsync covering what was just written: made at once for a request alone
        (a worker thread's round trip costs more than the fsync), in a worker thread while more
        requests come (they are handled meanwhile, and one fsync covers them all). A failed
        fsync refuses the request (``StorageUnavailable``: the platform is answered non-2xx and
        sends it again)."""
        try:
            await self.store.durable(inline=self.acks_first.alone())
        except (OSError, JournalError) as error:
            raise StorageUnavailable(error) from error

    def command_name(self, inbound: Inbound) -> str:
        """What a log line may say of an event: the command or button name, never the text."""
        if inbound.capture:
            return "capture"
        if inbound.action is not None:
            return inbound.action if inbound.action in self.router.actions else "unknown-action"
        found = self.router.find((inbound.text or "").lstrip("/")[:200])
        return found[0].key if found else "unknown"

    # Scheduled work: derived from storage (``scheduler/jobs``), the whole schedule at start-up,
    # then only the jobs of what each transaction changed.

    @property
    def rules(self) -> Rules:
        network = self.network
        return Rules(network.meeting_reminders, network.consultation_reminders,
                     network.workplan_reminders, network.digest_cron, network.timezone,
                     self.mail_every)

    def schedule(self) -> dict[Source, list[JobSpec]]:
        """Every job, by source; a job that failed waits for its next attempt, one given up is
        left out (``scheduler.retries``)."""
        failures = self.store.job_failures
        return {source: with_retries(specs, failures)
                for source, specs in all_jobs(self.store, self.rules, self.ctx.now()).items()}

    def job_specs(self) -> list[JobSpec]:
        """What is due when: the whole schedule, soonest first."""
        return sorted(spec for specs in self.schedule().values() for spec in specs)

    def reconcile(self) -> None:
        """APScheduler given the whole schedule (at start-up)."""
        self.store.changes.take()
        if self.jobs.scheduler.running:
            self.jobs.reconcile(self.schedule())

    def follow_changes(self, also: Iterable[Source] = ()) -> None:
        """Derive again the jobs of the records changed since last time (and of ``also``):
        a request that changed none of them costs the schedule nothing."""
        changed = self.store.changes.take()
        if not self.jobs.scheduler.running:
            return  # the whole schedule is derived when it starts
        if not self.jobs.synced:
            self.jobs.reconcile(self.schedule())
            return
        sources = set(also)
        for collection, record_id in changed:
            source = source_of(collection, record_id)
            if source is not None:
                sources.add(source)
        now, failures = self.ctx.now(), self.store.job_failures
        for source in sorted(sources):
            self.jobs.replace(source, with_retries(jobs_of(self.store, source, self.rules, now),
                                                   failures))

    async def run_job(self, spec: JobSpec) -> None:
        """Do one job's work (its handler checks it is still due and not done) as one
        transaction, then deliver. A failure is retried by the schedule itself; lateness and
        giving up are told."""
        outside = self.async_jobs.get(type(spec.job))
        if outside is not None:  # its own transactions; then the next one is derived
            await outside(spec.job)
            self.follow_changes(also=[spec.source])
            return
        try:
            with self.store.transaction():
                wrote = self.store.writes_to(todo_views.SOURCES)
                scheduled.run(self.ctx, spec, JOB_HANDLERS[type(spec.job)])
                self._refresh_todo_views(wrote)
        except OSError as error:  # a full disk: the changes stay pending for the next write
            log.error("job %s: its changes could not be written yet: %s", spec.id, error)
            return
        await self.store.durable()
        await self.dispatcher.flush()
        self.follow_changes(also=[spec.source])

    async def run_due_jobs(self) -> list[JobSpec]:
        """Run every job whose time has come (at start-up: what fell due while the bot was down).
        Tests call it after moving the clock instead of waiting."""
        due = [spec for spec in self.job_specs() if spec.run_at <= self.ctx.now()]
        for spec in due:
            await self.run_job(spec)
        return due

    async def start(self) -> None:
        """Inside the running loop: load dateparser's language data now rather than on someone's
        first command (about half a second), catch up on missed jobs, then let APScheduler keep
        time."""
        warm_up()
        released = delivery.release_at_start(self.ctx)
        if released:
            log.info("released %s held outbox rows to try them again", released)
        await self.run_due_jobs()
        self.jobs.start()
        self.reconcile()

    def stop(self) -> None:
        self.jobs.shutdown()
