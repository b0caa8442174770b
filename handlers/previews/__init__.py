"""Preview, then send: a broadcast a lead starts is first shown (what goes out, to how many
people, and what to look at before sending) with « Envoyer », « Modifier », « Annuler ».

``preview.py`` shows and keeps the draft (``storage/drafts.py``), ``clicks.py`` answers the
three buttons, ``kinds.py`` says which commands are previewed and what each preview holds,
``warnings.py`` the warnings (a public holiday in Mali, an Executive Committee seat that
cannot answer)."""
