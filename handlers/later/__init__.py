"""« Plus tard »: a card (an invitation, a consultation) put off by one person, who is reminded
of it at the moment they chose — in four hours, or tomorrow at 9:00 in the network's zone —
once, and not at all once the answer it waited for was given."""
