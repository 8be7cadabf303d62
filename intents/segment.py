"""jieba word segmentation with the domain user dictionary (loaded once)."""
import logging
import warnings
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)   # jieba imports pkg_resources
    import jieba

jieba.setLogLevel(logging.WARNING)

USERDICT = Path(__file__).with_name("data") / "userdict.txt"
_tokenizer = jieba.Tokenizer()
_ready = False


def _user_words():
    from .places import place_words
    from .report import lexicon
    for line in USERDICT.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and not line.startswith("#"):
            yield parts[0], int(parts[1]) if len(parts) > 1 else 20000
    for word in place_words():
        yield word, 20000
    for words in lexicon().values():
        for word in words:
            yield word, 10000


def initialize() -> None:
    """Load jieba's dictionary and our user words (idempotent)."""
    global _ready
    if _ready:
        return
    _tokenizer.initialize()
    for word, freq in _user_words():
        _tokenizer.add_word(word, freq)
    _ready = True


def words(text: str) -> list:
    initialize()
    return [w for w in _tokenizer.lcut(text, HMM=False) if not w.isspace()]
