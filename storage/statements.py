"""Joint statements: requested, drafted in versions, approved, published."""

from __future__ import annotations

from storage.models import Statement
from storage.repository import Numbered


class Statements(Numbered[Statement]):
    """Numbered statements (the number is what co-chairs and drafters type)."""
