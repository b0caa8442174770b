"""One live card per consultation and per meeting in each network channel: posted once,
then edited in place as the item changes (``live``), so the channel follows it without a
new message for each position. ``consultation_card`` and ``meeting_card`` say what each card
shows and when it changes."""
