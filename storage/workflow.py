"""What the two review workflows (storage/report_flow.py, storage/proposal_flow.py) have in common: a refusal that
names its reason by code, and finding an action by its name or by a word staff type."""
from __future__ import annotations

from typing import Any, Mapping, TypeVar

A = TypeVar("A")


class WorkflowError(Exception):
    """A refused change. `code` picks the wording (each workflow has its own table); params fill it."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code, self.params = code, params


def find_action(actions: Mapping[str, A], verbs: Mapping[str, A], name_or_verb: str, error: type[WorkflowError]) -> A:
    """The action named `name_or_verb` (its code, its verb or an alias); raises `error("unknown_action")`."""
    action = actions.get(name_or_verb) or verbs.get(name_or_verb)
    if action is None:
        raise error("unknown_action", action=name_or_verb)
    return action
