"""The Telegram platform, one module per job: ``adapter`` (wiring, start and stop), ``inbound``
(updates as ``Inbound``), ``menus`` (command menus per scope), ``render`` (a ``Message`` as HTML
and inline keyboards) and ``deliver`` (sending what the dispatcher hands over)."""
