"""Guided conversations: where a platform shows no forms (a Telegram private chat, the console),
a command typed without its arguments — ``réunion``, ``consultation ouvrir``, ``partager``,
``membre ajouter`` — asks for each answer in turn instead of answering with its usage.

- ``definitions``: which commands start which conversation, over the forms Slack shows as
  modals (``handlers.forms``), and how a typed day and time is read;
- ``member_add``: the form of ``membre ajouter`` (an invitation link, or a known account);
- ``asking``: one question as a neutral ``Message`` (choices as buttons, a text as a reply
  prompt, an optional answer skippable, a moment confirmed in full words);
- ``reading``: a typed answer read and checked with the forms' own checks;
- ``engine``: the conversation walked, kept in storage (``storage/conversations.py``) so that a
  restart resumes it, then submitted through the form's own submit (the same record as Slack's);
- ``typed``: a private message taken as the answer while a conversation is open;
- ``timeout``: the job that closes a conversation left untouched, politely;
- ``table``: the buttons, and the commands wrapped.
"""
