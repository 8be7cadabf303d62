"""Several study items in one check-in ('政协章程30分钟，还有人民政协报20分钟') -> [{material, minutes}, ...]."""
import re

from .dates import find_dates
from .durations import find_durations
from .entities import extract_material

# Words that join the second item to the first; stripped before reading a material.
_JOINERS = re.compile(r"^[\s,，。、;；和跟与及]*(?:还有|另外|以及|然后|接着|再加上|加上|外加|还|又|再|也|和|跟|与|及)*")


def _material(segment: str):
    return extract_material(_JOINERS.sub("", segment))


def extract_items(text: str, now=None):
    """Two or more (material, minutes) pairs, or None when the text names at most one duration.

    Materials usually come before their duration (学了X 30分钟，还有Y 20分钟); when that leaves a duration without
    one, the order 30分钟X，20分钟Y is tried. An item whose material cannot be read has only `minutes`.
    When the text names more than one day (昨天学了X半小时，今天学了Y一小时), every item carries its own `date`
    (the last day named before its duration and after the previous one's, else the item before's)."""
    spans = list(find_durations(text))
    if len(spans) < 2:
        return None
    before = [(spans[i - 1][2] if i else 0, end) for i, (_, _, end) in enumerate(spans)]
    after = [(start, spans[i + 1][1] if i + 1 < len(spans) else len(text)) for i, (_, start, _) in enumerate(spans)]
    materials = [_material(text[a:b]) for a, b in before]
    if not all(materials):
        swapped = [_material(text[a:b]) for a, b in after]
        if all(swapped):
            materials = swapped
    items = [{"material": material, "minutes": minutes} if material else {"minutes": minutes}
             for (minutes, _, _), material in zip(spans, materials)]
    if now is not None:
        _dates_per_item(text, now, before, items)   # a day is named before what was studied that day
    return items


def _dates_per_item(text, now, segments, items) -> None:
    days = list(find_dates(text, now))
    if len({day for day, _, _ in days}) < 2:
        return
    current = days[0][0]
    for (a, b), item in zip(segments, items):
        inside = [day for day, start, _ in days if a <= start < b]
        current = inside[-1] if inside else current
        item["date"] = current.isoformat()
