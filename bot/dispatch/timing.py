"""How long the dispatcher waits between tries of a row, and until when a row still matters:
the arithmetic of retrying, kept apart so it is tested without a delivery pass."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from handlers.context import DEFAULT_RELEVANCE
from storage.models import OutboxRow

MAX_BACKOFF = timedelta(minutes=5)  # between two tries of one row, at most
WAITING_AFTER = timedelta(minutes=1)  # a row still pending this long after it was queued waits


def backoff(attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
    """Exponential backoff with jitter: about 2, 4, 8 … seconds, capped at five minutes."""
    base = min(timedelta(seconds=2 ** min(attempts, 20)), MAX_BACKOFF)
    return min(base * (0.5 + rng()), MAX_BACKOFF)


def relevance(row: OutboxRow) -> datetime:
    """When ``row`` stops mattering (rows queued before it was recorded: the default)."""
    if row.relevant_until:
        moment = datetime.fromisoformat(row.relevant_until)
    elif row.created_at:
        moment = datetime.fromisoformat(row.created_at) + DEFAULT_RELEVANCE
    else:
        return datetime.max.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
