"""Understanding CPPCC members' messages: intent + slots. See README.md for the interface."""
from .api import INTENTS, Parse, parse, warm_up
from .slots import SLOT_KINDS, extract

__all__ = ["INTENTS", "SLOT_KINDS", "Parse", "parse", "extract", "warm_up"]
