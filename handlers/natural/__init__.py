"""Positions written in words — « d'accord pour l'UNICEF », "we object because …" — in a direct
message, as a reply to one of the bot's cards, or in a thread under the bot's message in the
network channel. One module per job:

- ``positions``: reading the words (French and English) into a typed ``Reading``;
- ``replies``: what the bot answers: a one-tap confirmation, the consultations to choose from,
  what it understood when it read no position, the refusal when another agency is named;
- ``taps``: the confirmation's buttons, which record the position through the same path as a
  position button (``record_position``), once.
"""
