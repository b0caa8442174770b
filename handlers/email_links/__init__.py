"""Links the bot sends by email and reads back on its web server: one-tap answers to a
consultation (``answers``), signed with the deployment's key (``signing``)."""
