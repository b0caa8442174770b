"""Links people share: found in what they typed, checked, and cleaned before anyone sees them.

Every adapter hands a link over in one of two neutral forms: a bare ``https://…`` word, or
``[label](https://…)`` when the platform carried a label with it (Slack's ``<url|label>``,
Telegram's text links); ``labelled`` writes the second form. A link is kept only if a browser
would open the site it shows: no name or password before an ``@`` (``https://evil.example\\@
www.unhcr.org/`` opens evil.example), no backslash, space or invisible character, http or https
only. What is kept has its tracking parameters (``utm_*``, ``fbclid`` …) removed.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit

from handlers.context import UserError

OPENERS = "(<«\"'“"
CLOSERS = ",.;:!?>»\"'”"  # punctuation that may follow a link in a sentence
_LABELLED = rf"\[([^\[\]\n]*)\]\((\S+)\)[{re.escape(CLOSERS)}]*"
LABELLED = re.compile(_LABELLED)
TOKEN = re.compile(rf"{_LABELLED}|\S+")
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid"
                      r"|yclid|ref_src|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id)$")
ADDRESS_LIKE = re.compile(r"(?:[\w-]+\.)+[a-z]{2,}(?:[/?#]\S*)?", re.IGNORECASE)
NETLOC = re.compile(r"(?:[\w.-]+|\[[0-9a-f:.]+\])(?::\d*)?", re.IGNORECASE)
SHOWN = 120  # characters of a refused link repeated in the answer


def labelled(url: str, label: str) -> str:
    """The neutral form of a link that came with a label (brackets in it become parentheses)."""
    label = " ".join(label.replace("[", "(").replace("]", ")").split())
    return f"[{label}]({url})" if label else url


def looks_like_an_address(text: str) -> bool:
    """A label that reads like a web address (``www.unhcr.org``, ``https://…``): shown as a
    title it could pass one site for another, so it is never used as one."""
    text = text.strip()
    return "://" in text or bool(ADDRESS_LIKE.fullmatch(text))


def tokens(text: str) -> list[str]:
    """Words, with each ``[label](url)`` kept whole (its label may hold spaces)."""
    return [found.group(0) for found in TOKEN.finditer(text)]


def _trimmed(word: str) -> str:
    """A word without the punctuation around it: « (https://x.org/a). » → ``https://x.org/a``;
    a closing parenthesis stays when the link opened one (``…/Foo_(bar)``)."""
    word = word.lstrip(OPENERS).rstrip(CLOSERS)
    while word.endswith(")") and word.count(")") > word.count("("):
        word = word[:-1].rstrip(CLOSERS)
    return word


def as_link(token: str) -> tuple[str, str] | None:
    """``(url, label)`` if ``token`` is meant as a link (checked later), else ``None``."""
    found = LABELLED.fullmatch(token)
    if found:
        label = found.group(1).strip()
        return found.group(2), "" if looks_like_an_address(label) else label
    word = _trimmed(token)
    if "://" in word or word.lower().startswith(("http:", "https:", "www.")):
        return word, ""
    return None


def mentions_a_link(text: str) -> bool:
    return any(as_link(token) for token in tokens(text))


def _refuse(key: str, url: str) -> UserError:
    shown = url if len(url) <= SHOWN else url[:SHOWN - 1] + "…"
    return UserError(key, link=shown)


def checked(url: str) -> str:
    """``url`` without its tracking parameters if a browser opens the site it shows; else a
    ``UserError`` that says why not."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number raises ValueError
    except ValueError as error:
        raise _refuse("info.bad_link", url) from error
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise _refuse("info.bad_link", url)
    if "@" in parts.netloc:
        raise _refuse("info.link_userinfo", url)
    if "\\" in url or any(char.isspace() or unicodedata.category(char)[0] in "CZ"
                          for char in url):
        raise _refuse("info.link_odd", url)
    if not NETLOC.fullmatch(parts.netloc) or not parts.hostname:
        raise _refuse("info.link_odd", url)
    return without_tracking(url)


def _tracking(piece: str) -> bool:
    name = unquote_plus(piece.split("=", 1)[0]).lower()
    return bool(TRACKING.match(name))


def without_tracking(url: str) -> str:
    """``url`` as typed, less its tracking parameters (the others keep their order and their
    spelling)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = "&".join(p for p in parts.query.split("&") if p and not _tracking(p))
    return parts._replace(query=kept).geturl()


def normalise(url: str) -> str:
    """The same resource whatever the spelling, to find duplicates: no scheme, no ``www.``, no
    trailing slash, no tracking parameters, query parameters in a fixed order."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = parts.path.rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not TRACKING.match(k.lower()))
    return f"{host}{port}{path}" + (f"?{urlencode(query)}" if query else "")
