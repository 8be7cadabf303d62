"""Gazetteer: Ordos banners/districts, their short forms and towns -> official district name."""
import json
import re
from functools import lru_cache
from pathlib import Path

from .matcher import LongestMatch

DATA = Path(__file__).with_name("data") / "places.json"
_SUFFIX = re.compile(r"(街道|镇|苏木|乡)$")


@lru_cache(maxsize=1)
def gazetteer() -> dict:
    """{surface form: district}, covering official names, aliases and towns (with and without suffix)."""
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    no_bare = set(raw["no_bare"])
    index = {}
    for district, info in raw["districts"].items():
        index[district] = district
        for alias in info["aliases"]:
            index[alias] = district
        for town in info["towns"]:
            index[town] = district
            if town.endswith("街道"):
                index[town + "办事处"] = district
            bare = _SUFFIX.sub("", town)
            if bare not in no_bare and len(bare) >= 2:
                index.setdefault(bare, district)
    return index


@lru_cache(maxsize=1)
def _matcher() -> LongestMatch:
    return LongestMatch(gazetteer())


def place_words():
    """All surface forms (for the tokenizer's user dictionary)."""
    return list(gazetteer())


def find_district(text: str):
    """District of the first place mentioned in text, or None."""
    found = _matcher().search(text)
    return gazetteer()[found[1]] if found else None
