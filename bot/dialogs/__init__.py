"""One module per service; this registry maps dialogs and intents to them."""
from bot.dialogs import attend, bind, checkin, clarify, general, record, report, signup

DIALOGS = {module.NAME: module for module in (attend, bind, checkin, clarify, report, signup)}

INTENT_HANDLERS = {
    "bind": bind.start,
    "checkin": checkin.start,
    "signup": signup.start_signup,
    "cancel_signup": signup.start_cancel,
    "leave": signup.start_leave,
    "attend": attend.start,
    "list_activities": signup.list_upcoming,
    "report": report.start,
    "report_status": report.status,
    "query_record": record.show,
    "help": general.help_menu,
    "unknown": general.not_understood,
}
