"""The addresses of the bot's web pages, in one place: ``bot/web`` serves them at these paths and
the handlers build the links people are sent with them, so the two cannot drift apart.

Only paths: where the server is reached (``RESEAU_PUBLIC_URL``, else host and port) is
``Context.web_url``, set by the app when it runs the web server.
"""

from __future__ import annotations

# The knowledge page, by language (its permalinks, feed and table hang below it).
KNOWLEDGE_PATHS = {"fr": "/savoirs", "en": "/knowledge"}
STYLESHEET_PATH = "/savoirs.css"
# Calendar subscriptions: ``<CALENDAR_PATH>/<token>.ics`` (the same in both languages: the link
# is read by calendar applications, not people).
CALENDAR_PATH = "/calendrier"
# One-tap answers to a consultation, sent by email: ``<ANSWER_PATH>/<signed token>``.
ANSWER_PATH = "/reponse"
# The confirmation of an address a member adds (``courriel``): ``<EMAIL_CONFIRM_PATH>/<token>``.
EMAIL_CONFIRM_PATH = "/courriel"
