"""An email address as a member's identity (``email:awa.traore@unicef.org``): what the network
file and ``membre ajouter`` accept beside the chat platforms' ids. Delivered by the email
adapter when ``SMTP_URL`` is set."""

from __future__ import annotations

import re

# ``email:`` then local part @ a dotted domain, ASCII, no spaces (as a calendar's mailbox).
EMAIL_IDENTITY = re.compile(r"^email:[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
                            r"(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$")


def is_email_identity(text: str) -> bool:
    return bool(EMAIL_IDENTITY.match(text))
