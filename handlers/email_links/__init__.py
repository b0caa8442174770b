"""Links the bot sends by email and reads back on its web server: one-tap answers to a
consultation (``answers``) and the confirmation of an address a member adds (``courriel``),
both signed with the deployment's key (``signing``)."""
