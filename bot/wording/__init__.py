"""Everything the assistant shows to people, apart from the code, so staff can edit the wording in one folder.

Where to look:

    bot/replies.py          the assistant's replies to members and staff in the WeChat chat
    bot/wording/outbound.py  messages sent later through the outbox (activity notices, reminders) and the
                             notes staff read in `outbox list`
    bot/wording/digest.py    the staff daily digest: the text message, the template message, the web page,
                             what `digest send` says
    bot/wording/documents.py the Word/Excel files staff export (履职档案, 社情民意汇编)
    bot/wording/cli.py       what the ops command line (`duty-bot …`) prints to staff
    bot/wording/activities.py what publishing, editing and cancelling an activity says (CLI and console)
    bot/console/wording.py   the staff web console

Rules: keep every {placeholder} (the code fills them); keep the names on the left of `=` and the keys of the
dictionaries; replies stay short. The words the assistant *understands* (cancel words, thanks words …) are
not here: they live in `intents/`.
"""
