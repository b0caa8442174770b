"""What the tests and the benchmarks share: helpers to start a real ``reseau-bot`` process and
know when it serves. (The loopback fakes are ``tests/fake_slack.py`` and
``tests/fake_telegram.py``.) Nothing here is a test, and nothing imports a ``tests.test_*``
module."""
