"""Preview, then send: a broadcast a lead starts is first shown (what goes out, to how many
people, and what to look at before sending) with « Envoyer », « Modifier », « Annuler ».

``preview.py`` shows and keeps the draft (``storage/drafts.py``), ``clicks.py`` answers the
three buttons, ``typed.py`` the same buttons typed (``aperçu 3 envoyer``), ``kinds.py`` says
which commands are previewed and what each preview holds, ``openings.py`` the previews of what
opens something new (a consultation, a meeting, a series; typed or from a form) and what
« Envoyer » creates from them, ``warnings.py`` the warnings (short notice, a public holiday in
Mali, an Executive Committee seat that cannot answer)."""
