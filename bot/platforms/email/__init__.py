"""Email as a third channel: an SMTP ``Platform`` the dispatcher delivers to (``adapter.py``),
turned on by ``SMTP_URL`` (``settings.py``), rendering a ``Message`` as text and HTML
(``render.py``) and a meeting's calendar file as an iTIP invitation (``itip.py``)."""
