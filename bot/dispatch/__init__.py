"""Delivering the outbox: ``dispatcher`` (the delivery pass, the one place messages leave the
bot), ``contract`` (what adapters raise and receive), ``targets`` (where a row goes),
``outages`` (platforms found failing, probed until they answer), ``ledger`` (recording outcomes
when the data dir refuses writes) and ``timing`` (backoff and how long a row matters)."""
