"""Forms: several fields asked at once (a meeting, a consultation, a share), defined once and
platform-neutral — each field's kind, label and choices in the reader's language, the checks of
the answers, and the one-line command's own code called on submit. Each adapter renders a
``handlers.types.Form`` natively (a Slack modal: ``bot/platforms/slack/forms.py``).

``table.py`` holds the actions and wraps the one-line commands (typed with no arguments where
forms can be shown, they open the form); ``buttons.py`` the buttons that open them.
"""
