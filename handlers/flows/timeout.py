"""The job ``conversation.timeout``: a guided conversation left untouched for ``IDLE_LIMIT`` is
closed, and the person told, in their language, that nothing was recorded and how to start
again. Derived from storage (``scheduler.jobs.ConversationTimeout``), so it survives a restart;
once (``jobs_done``), and not at all if the person answered meanwhile."""

from __future__ import annotations

from handlers.context import Context
from handlers.flows.definitions import FLOWS
from handlers.flows.engine import IDLE_MINUTES, close, idle
from handlers.types import Message
from scheduler.jobs import ConversationTimeout, encode
from storage.conversations import EXPIRED, OPEN


def close_idle(ctx: Context, job: ConversationTimeout) -> bool:
    """Close the conversation if still untouched since the job was derived; ``True`` when the
    person was told."""
    conversation = ctx.store.conversations.get(job.conversation_id)
    job_id = encode(job)
    if (conversation is None or conversation.status != OPEN
            or conversation.updated_at != job.updated or job_id in ctx.store.jobs_done
            or not idle(ctx, conversation)):
        return False
    close(ctx, conversation, EXPIRED)
    flow = FLOWS.get(conversation.flow)
    member = ctx.store.members.by_identity(conversation.identity)
    lang = ctx.language_of(member)
    told = False
    if flow is not None:
        title = ctx.t(lang, f"flow.{flow.name}.title")
        told = ctx.send_to_identity(conversation.identity, lang, job_id, Message(
            paragraphs=[ctx.t(lang, "flow.expired", title=title, minutes=IDLE_MINUTES,
                              command=ctx.t(lang, f"cmd.{flow.command}.name"))]))
    ctx.store.jobs_done.mark(job_id, ctx.now_iso(), "told" if told else "closed")
    return told
