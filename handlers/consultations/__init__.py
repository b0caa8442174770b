"""Consultations the Loomio way, but per agency: one position per consulted agency, the deciding
set's positions decide, the silent are reminded, and the outcome is recorded with its reasons.
One module per job:

- ``lookup``: the consultation a command names, and the four choices;
- ``seats``: who is consulted, who decides, who has not answered;
- ``wording``: how a consultation, its positions and its outcome read;
- ``sending``: the proposal sent to the consulted, announced on a channel, its delivery tracked;
- ``opening``: opening a consultation (a command, or a statement's round);
- ``deadline``: reading a deadline as people write it, and extending it;
- ``positions``: an agency's position, by button or command;
- ``closing``: deciding and telling, by command or at the deadline; a co-chair's conclusion;
- ``views``: one consultation, the open ones, the decision register;
- ``export``: the decision register as a spreadsheet file;
- ``reminders``: the scheduled reminder job.

Who decides (``handlers.consensus``): the Executive Committee for a network consultation or a
statement round, the group's member agencies for a working group's consultation — fixed when the
consultation opens, with the empty seats (no active focal point) named everywhere. Consensus:
adopted when everyone taking part answered and none objects. Silence procedure: adopted unless
someone taking part objects before the deadline. Other agencies' positions are recorded and shown;
they do not decide. A statement round is the Executive Committee's alone: its draft never goes to
a channel.
"""
