"""The bot's web pages: the network's knowledge platform (``/savoirs``, ``/knowledge``)."""

from bot.web.routes import knowledge_routes

__all__ = ["knowledge_routes"]
