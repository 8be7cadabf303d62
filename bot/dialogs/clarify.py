"""When understanding is unsure, ask which service was meant with numbered choices."""
from __future__ import annotations

import intents
from bot import replies
from bot.dialogs.base import NOT_MINE, Turn
from intents.slots import INTENT_SLOTS

NAME = "clarify"
NON_CHOICES = {"unknown", "help"}


def unsure(parsed, threshold: float, margin: float) -> bool:
    if parsed.intent in NON_CHOICES:
        return False
    ranked = [p for _, p in parsed.alternatives] or [parsed.confidence]
    runner_up = ranked[1] if len(ranked) > 1 else 0.0
    return parsed.confidence < threshold or parsed.confidence - runner_up < margin


def start(turn: Turn, parsed) -> str:
    options = [intent for intent, _ in parsed.alternatives if intent not in NON_CHOICES][:3]
    if len(options) < 2:
        from bot.dispatch import run_intent

        return run_intent(turn, parsed.intent, parsed.slots)
    lines = "\n".join(f"{i}. {replies.SERVICE_NAMES[o]}" for i, o in enumerate(options, 1))
    return turn.ask(NAME, "choose", {"text": turn.text, "options": options},
                    replies.CLARIFY.format(options=lines))


def on_choice(turn: Turn, data: dict) -> str:
    from bot.dispatch import run_intent

    choice = turn.text.strip().rstrip("。.")
    options = data["options"]
    if not (choice.isdigit() and 1 <= int(choice) <= len(options)):
        if len(turn.text) > 4:
            return NOT_MINE  # a new request rather than an answer
        numbers = "、".join(str(i) for i in range(1, len(options) + 1))
        return replies.CLARIFY_AGAIN.format(numbers=numbers)
    intent = options[int(choice) - 1]
    turn.finish("")
    original = data["text"]
    slots = intents.extract(original, turn.now, INTENT_SLOTS[intent], intent=intent)
    turn.text = original
    return run_intent(turn, intent, slots)


STEPS = {"choose": on_choice}
