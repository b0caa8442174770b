"""What the tests and the benchmarks share, importable by both: nothing here is a test, and
nothing here imports a ``tests.test_*`` module.

- ``chat``: ``say``, ``click``, ``text_of`` and the ``Clock`` a test moves by hand;
- ``spoken``: records which catalog texts the bot chose (keys and values), so tests assert on
  what was decided rather than on the wording;
- ``process``: a real ``reseau-bot`` process (environment, free port, the start-up probe);
- ``fake_slack``, ``fake_telegram`` (with ``fake_network``'s faults): the loopback servers the
  real Slack and Telegram clients talk to; ``telegram_runtime``: the bot serving Telegram
  against the fake; ``faults``: a full disk; ``crash_harness``: a bot process to kill;
- ``cdp``: a headless browser; ``when_cases``: the corpus of dates as people write them;
  ``knowledge_seed``: shared items to browse.
"""
