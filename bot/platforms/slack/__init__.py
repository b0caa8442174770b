"""The Slack platform, one module per job: ``adapter`` (wiring, start and stop), ``door`` (which
HTTP requests may reach slack-bolt), ``auth`` (the bot's identity), ``inbound`` (Slack's payloads
as ``Inbound``), ``render`` (a ``Message`` as Block Kit) and ``deliver`` (sending what the
dispatcher hands over)."""
