"""Meetings: scheduling (alone or as a series), invites with calendar files, answers, the
agenda, changes and cancellations, and the reminders — one module per job:

- ``times``: reading a meeting's time as people write it, and how it is stored;
- ``lookup``: the meeting a command names, and whether it can still change;
- ``wording``: how a meeting reads (kind, date in words, place, agenda);
- ``ics``: the calendar file of a meeting or of its whole series;
- ``invitees``: who a meeting invites;
- ``invitations``: the invitation and change messages, sent and recorded;
- ``rsvp``: the answer buttons and the answers;
- ``scheduling``: ``réunion …`` commands that create one meeting;
- ``series``: ``réunion série …``, a series of meetings from a rule;
- ``changes``: moving, cancelling, place, link and agenda of a meeting;
- ``views``: the list of meetings to come and one meeting's details;
- ``reminders``: the scheduled reminder job.

Every confirmation repeats the date in full words in the reader's language, so a wrong parse is
caught by eye before anyone travels to the Maison Commune.

Who is invited is decided once, when the invitation goes out, and recorded on the meeting
(``Meeting.invited``); someone invited later is added to the record by an invitation of their
own. Changes, reminders and answers go by that record: nobody is reminded of a meeting they were
never invited to.
"""
