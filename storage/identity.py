"""A person's account on one platform, ``platform:user`` as stored (``telegram:555``,
``slack:U123``, ``console:awa``): parsed in one place instead of split by hand."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    """``Identity.parse("telegram:555")`` gives ``Identity("telegram", "555")``; ``str()``
    gives the stored form back. The user part may hold colons itself: only the first one
    separates."""

    platform: str
    user: str

    @classmethod
    def parse(cls, text: str) -> Identity:
        platform, colon, user = text.partition(":")
        if not colon or not platform:
            raise ValueError(f"not an identity (platform:user): {text!r}")
        return cls(platform, user)

    def __str__(self) -> str:
        return f"{self.platform}:{self.user}"
