"""The table of every command and button, and who may use each: the bot's permission table.

Only the table lives here; each handler lives with its use case. ``aide``/``help``
(``handlers.help``) is generated from it, so what a person is told they may do is what they may
do.
"""

from __future__ import annotations

from handlers import (
    calendar_feed,
    choosing,
    deeplinks,
    digest,
    groups,
    home,
    identities,
    info,
    invitations,
    knowledge,
    members,
    prompts,
    report,
    statements,
    todo_actions,
    workplan,
)
from handlers.consultations import closing, deadline, opening, override, positions, reasons
from handlers.consultations import views as consultation_views
from handlers.consultations.lookup import CHOICES
from handlers.email_links import courriel
from handlers.flows import table as flows
from handlers.forms.table import ACTIONS as FORM_ACTIONS
from handlers.forms.table import or_form
from handlers.help import help_command, topic_click
from handlers.i18n import Catalog
from handlers.later import choice as later_choice
from handlers.meetings import changes as meeting_changes
from handlers.meetings import rsvp, scheduling, series
from handlers.meetings import views as meeting_views
from handlers.natural import replies as natural_replies
from handlers.natural import taps as natural_taps
from handlers.previews import clicks as preview_clicks
from handlers.previews import preview
from handlers.previews import typed as preview_typed
from handlers.previews.kinds import PREVIEWED
from handlers.roles import (
    ANYONE,
    CO_CHAIRS,
    FOCAL_POINTS,
    LEADS,
    LEADS_AND_GROUP_CHAIRS,
    MEMBERS,
    SECRETARIAT_ONLY,
)
from handlers.router import Action, Command, Router

COMMANDS: list[Command] = [
    Command("help", ANYONE, help_command, aliases=("?", "aide-moi")),
    Command("start", ANYONE, deeplinks.start_command, hidden=True),
    Command("members", MEMBERS, members.list_members),
    Command("whoami", ANYONE, members.whoami),
    Command("join", ANYONE, invitations.join_command),
    Command("language", MEMBERS, members.set_language, aliases=("lang",)),
    Command("join_requests", SECRETARIAT_ONLY, members.list_join_requests),
    Command("member_approve", SECRETARIAT_ONLY, members.approve_command),
    Command("member_refuse", SECRETARIAT_ONLY, members.refuse_command),
    Command("member_add", SECRETARIAT_ONLY, members.add_member),
    Command("member_invite", SECRETARIAT_ONLY, invitations.invite_command),
    Command("member_remove", SECRETARIAT_ONLY, members.remove_member),
    Command("meeting", LEADS, or_form("meeting", scheduling.schedule_network)),
    Command("meeting_executive", LEADS, scheduling.schedule_executive,
            aliases=("meeting executive", "meeting exec")),
    Command("meeting_annual", LEADS, scheduling.schedule_annual),
    Command("meeting_group", LEADS_AND_GROUP_CHAIRS, scheduling.schedule_group),
    Command("meeting_series", LEADS, series.schedule_series,
            aliases=("reunion serie", "meeting recurring")),
    Command("meeting_place", LEADS_AND_GROUP_CHAIRS, meeting_changes.set_place),
    Command("meeting_link", LEADS_AND_GROUP_CHAIRS, meeting_changes.set_link),
    Command("meeting_move", LEADS_AND_GROUP_CHAIRS, meeting_changes.move,
            aliases=("meeting reschedule",)),
    Command("meeting_cancel", LEADS_AND_GROUP_CHAIRS, meeting_changes.cancel),
    Command("meetings", MEMBERS, meeting_views.list_upcoming),
    Command("meeting_show", MEMBERS, meeting_views.show),
    Command("agenda", MEMBERS, meeting_changes.agenda, aliases=("odj",)),
    Command("rsvp_present", MEMBERS, rsvp.rsvp_command("present"),
            aliases=("presente",)),
    Command("rsvp_online", MEMBERS, rsvp.rsvp_command("online"),
            aliases=("a distance", "remote")),
    Command("rsvp_excused", MEMBERS, rsvp.rsvp_command("excused"),
            aliases=("excusee", "absent", "absente")),
    Command("poll_open", LEADS_AND_GROUP_CHAIRS, or_form("consultation", opening.open_command)),
    Command("poll_close", LEADS, closing.close_command),
    Command("poll_extend", LEADS, deadline.extend_command),
    Command("poll_note", CO_CHAIRS, closing.outcome_note_command),
    Command("poll_nudge", LEADS, todo_actions.nudge_command,
            aliases=("consultation remind", "poll nudge")),
    Command("poll", MEMBERS, or_form("consultation", consultation_views.status_command)),
    Command("polls", MEMBERS, consultation_views.list_command),
    Command("position", FOCAL_POINTS, reasons.position_or_ask),
    Command("decisions", MEMBERS, consultation_views.decisions_command),
    Command("statement_request", MEMBERS, statements.request_command),
    Command("statement_draft", CO_CHAIRS, statements.draft_command),
    Command("statement_publish", CO_CHAIRS, statements.publish_command),
    Command("statements", MEMBERS, statements.show_command),
    Command("share", MEMBERS, or_form("share", info.share_command)),
    Command("items", MEMBERS, info.list_command, aliases=("info list",)),
    Command("item", MEMBERS, info.show_command),
    Command("search", MEMBERS, info.search_command, aliases=("chercher", "find")),
    Command("more", MEMBERS, info.more_command, aliases=("next",)),
    Command("knowledge_link", MEMBERS, knowledge.link_command),
    Command("calendar_renew", MEMBERS, calendar_feed.renew_command),
    Command("calendar_network", LEADS, calendar_feed.network_command),
    Command("calendar", MEMBERS, calendar_feed.calendar_command),
    Command("digest", LEADS_AND_GROUP_CHAIRS, digest.digest_command, aliases=("synthese",)),
    Command("report", LEADS, report.report_command),
    Command("link", ANYONE, identities.link_command),
    Command("preference", MEMBERS, identities.preference_command),
    Command("email", MEMBERS, courriel.courriel_command),
    Command("group_create", LEADS, groups.create),
    Command("group_add", LEADS_AND_GROUP_CHAIRS, groups.add),
    Command("group_join", MEMBERS, groups.join),
    Command("group_chairs", LEADS_AND_GROUP_CHAIRS, groups.set_chairs),
    Command("group_terms", LEADS_AND_GROUP_CHAIRS, groups.set_terms),
    Command("group_review", LEADS, groups.review),
    Command("group_close", LEADS, groups.close),
    Command("groups", MEMBERS, groups.list_groups),
    Command("group", MEMBERS, groups.show),
    Command("plan_add", LEADS, workplan.add_command),
    Command("plan", MEMBERS, workplan.list_command, aliases=("workplan",)),
    Command("plan_action", MEMBERS, workplan.action_command),
    Command("annual_review", LEADS, workplan.review_command),
    Command("todo", ANYONE, home.home_command, aliases=("afaire", "a faire", "to do")),
    Command("preview", LEADS_AND_GROUP_CHAIRS, preview_typed.preview_command, hidden=True),
]
# A broadcast a lead starts is previewed first (``handlers.previews``).
COMMANDS = preview.wrap(COMMANDS, PREVIEWED)

# The short menu a shared chat offers (Telegram's group command menu): what is useful to
# everyone there; the rest is for one-to-one conversations.
GROUP_MENU = ("help", "meetings", "polls", "decisions", "share", "items", "search", "members")

# Typed alone where the platform converses (Telegram, the console), the form's commands ask
# for each answer in turn (``handlers.flows``).
COMMANDS = flows.wrap(COMMANDS)

ACTIONS: list[Action] = [
    Action("join.approve", SECRETARIAT_ONLY, members.approve_click),
    Action("join.approve_duplicate", SECRETARIAT_ONLY, members.approve_duplicate_click),
    Action("join.refuse", SECRETARIAT_ONLY, members.refuse_click),
    Action("rsvp.present", MEMBERS, rsvp.rsvp_click("present")),
    Action("rsvp.online", MEMBERS, rsvp.rsvp_click("online")),
    Action("rsvp.excused", MEMBERS, rsvp.rsvp_click("excused")),
    Action("series.confirm", LEADS, series.confirm_click),
    *[Action(f"position.{choice}", FOCAL_POINTS, positions.position_click(choice))
      for choice in CHOICES if choice not in reasons.ASKED],
    *[Action(f"position.{choice}", FOCAL_POINTS, reasons.reason_click(choice))
      for choice in reasons.ASKED],
    Action(positions.REASON_ACTION, FOCAL_POINTS, reasons.answer),
    Action(prompts.CANCEL, ANYONE, prompts.cancelled),
    *[Action(f"plan.{status}", FOCAL_POINTS | LEADS, workplan.status_click(status))
      for status in ("in_progress", "done", "postponed")],
    Action("help.topic", ANYONE, topic_click),
    *FORM_ACTIONS,
    Action("todo.nudge", LEADS, todo_actions.nudge_click),
    Action("todo.extend", LEADS, todo_actions.extend_click),
    Action("todo.extend_by", LEADS, todo_actions.extend_by_click),
    Action("todo.close", LEADS, todo_actions.close_click),
    Action("todo.close_confirmed", LEADS, todo_actions.close_confirmed_click),
    Action(choosing.PICK, MEMBERS, choosing.pick_click),
    Action("override.confirm", FOCAL_POINTS, override.confirm_click(positions.record_position)),
    Action("override.keep", FOCAL_POINTS, override.keep_click),
    Action("later", MEMBERS, later_choice.later_click),
    Action("later.set", MEMBERS, later_choice.later_set_click),
    Action("natural.confirm", FOCAL_POINTS, natural_taps.confirm_click),
    Action("natural.pick", FOCAL_POINTS, natural_taps.pick_click),
    Action("natural.cancel", FOCAL_POINTS, natural_taps.cancel_click),
    Action(calendar_feed.SUBSCRIBE, MEMBERS, calendar_feed.subscribe_click),
    Action(preview.SEND, LEADS_AND_GROUP_CHAIRS, preview_clicks.send_click),
    Action(preview.EDIT, LEADS_AND_GROUP_CHAIRS, preview_clicks.edit_click),
    Action(preview.CANCEL, LEADS_AND_GROUP_CHAIRS, preview_clicks.cancel_click),
    *flows.ACTIONS,
]


def build_router(catalog: Catalog) -> Router:
    """The router over this table; a message in a group chat goes to ``info.capture`` (one
    carrying an invitation's link is stopped first: ``invitations.guard_capture``), words
    that are no command (and replies to the bot's messages) to ``natural_replies``."""
    return Router(COMMANDS, ACTIONS, catalog, capture=invitations.guard_capture(info.capture),
                  natural=natural_replies.natural_reply)
