"""Numbered choices: which service was meant (the confidence gate), or a pick from the help menu.

A choice (1, ①, 第一个 …) ends the dialog with Reroute(intent): the router runs that intent on the original
message, so no dialog needs the dispatcher.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import intents
from bot import replies
from bot.dialogs.base import Ask, Dialog, Handover, Message, Reroute, Transition, Unclear

NAME = "clarify"
NON_CHOICES = {"unknown", "help"}
SHORT_ANSWER = 4  # a longer non-choice is a new request rather than an answer


class Step(StrEnum):
    CHOOSE = "choose"   # which service did you mean? (the gate)
    MENU = "menu"       # after the help menu: a number picks a service, anything else is understood afresh


@dataclass
class ChoiceDraft:
    text: str = ""
    options: list[str] = field(default_factory=list)


def unsure(parsed, threshold: float, margin: float) -> bool:
    if parsed.intent in NON_CHOICES:
        return False
    ranked = [p for _, p in parsed.alternatives] or [parsed.confidence]
    runner_up = ranked[1] if len(ranked) > 1 else 0.0
    return parsed.confidence < threshold or parsed.confidence - runner_up < margin


def options_for(parsed) -> list[str]:
    return [intent for intent, _ in parsed.alternatives if intent not in NON_CHOICES][:3]


def ask_which(text: str, options: list[str]) -> Ask:
    lines = "\n".join(f"{i}. {replies.SERVICE_NAMES[o]}" for i, o in enumerate(options, 1))
    return Ask(Step.CHOOSE, ChoiceDraft(text, options), replies.CLARIFY.format(options=lines))


def menu(text: str) -> Ask:
    return Ask(Step.MENU, ChoiceDraft("", list(replies.HELP_CHOICES)), text)


def on_choice(draft: ChoiceDraft, msg: Message) -> Transition:
    index = intents.choice(msg.text, len(draft.options))
    if index is not None:
        return Reroute(draft.options[index - 1], draft.text)
    if len(msg.text.strip()) > SHORT_ANSWER:
        return Handover()
    numbers = "、".join(str(i) for i in range(1, len(draft.options) + 1))
    return Unclear(replies.CLARIFY_AGAIN.format(numbers=numbers))


def on_menu(draft: ChoiceDraft, msg: Message) -> Transition:
    index = intents.choice(msg.text, len(draft.options))
    return Reroute(draft.options[index - 1], "") if index is not None else Handover()


DIALOG = Dialog(NAME, Step, ChoiceDraft, {Step.CHOOSE: on_choice, Step.MENU: on_menu},
                quiet_steps=frozenset({Step.MENU}))
