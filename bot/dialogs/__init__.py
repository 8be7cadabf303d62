"""One module per service; this registry maps dialogs and intents to them.

An intent's starter is `starter(turn, slots) -> Transition`; the engine runs it as the first transition of
the service's dialog (services without questions just return Done).
"""
from bot.dialogs import (attend, bind, checkin, clarify, general, proposal, proposal_staff, record, report, signup,
                         staff)

DIALOGS = {dialog.name: dialog for dialog in (attend.DIALOG, bind.DIALOG, checkin.DIALOG, clarify.DIALOG, report.DIALOG,
                                              signup.DIALOG, staff.DIALOG, proposal.DIALOG, proposal_staff.DIALOG)}

# intent -> (the dialog it runs in, its starter)
INTENT_HANDLERS = {
    "checkin": (checkin.DIALOG, lambda turn, slots: checkin.start(slots, turn.message)),
    "signup": (signup.DIALOG, lambda turn, slots: signup.start(turn, "signup", slots)),
    "cancel_signup": (signup.DIALOG, lambda turn, slots: signup.start(turn, "cancel_signup", slots)),
    "leave": (signup.DIALOG, lambda turn, slots: signup.start(turn, "leave", slots)),
    "attend": (attend.DIALOG, attend.start),
    "list_activities": (signup.DIALOG, signup.list_upcoming),
    "my_activities": (signup.DIALOG, signup.my_activities),
    "my_checkins": (checkin.DIALOG, checkin.my_checkins),
    "report": (report.DIALOG, report.start),
    "report_status": (report.DIALOG, report.status),
    "query_record": (clarify.DIALOG, record.show),
    "proposal": (proposal.DIALOG, proposal.start),
    "help": (clarify.DIALOG, general.help_menu),
    "unknown": (clarify.DIALOG, general.not_understood),
}
