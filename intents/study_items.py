"""Several study items in one check-in ('政协章程30分钟，还有人民政协报20分钟') -> [{material, minutes}, ...]."""
import re

from .durations import find_durations
from .entities import extract_material

# Words that join the second item to the first; stripped before reading a material.
_JOINERS = re.compile(r"^[\s,，。、;；和跟与及]*(?:还有|另外|以及|然后|接着|再加上|加上|外加|还|又|再|也|和|跟|与|及)*")


def _material(segment: str):
    return extract_material(_JOINERS.sub("", segment))


def extract_items(text: str):
    """Two or more (material, minutes) pairs, or None when the text names at most one duration.

    Materials usually come before their duration (学了X 30分钟，还有Y 20分钟); when that leaves a duration without
    one, the order 30分钟X，20分钟Y is tried. An item whose material cannot be read has only `minutes`."""
    spans = list(find_durations(text))
    if len(spans) < 2:
        return None
    before = [text[spans[i - 1][2] if i else 0:end] for i, (_, _, end) in enumerate(spans)]
    after = [text[start:spans[i + 1][1] if i + 1 < len(spans) else len(text)] for i, (_, start, _) in enumerate(spans)]
    materials = [_material(seg) for seg in before]
    if not all(materials):
        swapped = [_material(seg) for seg in after]
        if all(swapped):
            materials = swapped
    items = []
    for (minutes, _, _), material in zip(spans, materials):
        items.append({"material": material, "minutes": minutes} if material else {"minutes": minutes})
    return items
