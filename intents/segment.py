"""jieba word segmentation with the domain user dictionary (loaded once per process).

To keep warm-up short, jieba loads a trimmed copy of its dictionary (words with frequency >= MIN_FREQ,
about a quarter of the entries, same segmentation for everyday text); the copy is written once to the
temp directory next to jieba's own cache. If that fails, the full dictionary is used."""
import logging
import os
import tempfile
import threading
import warnings
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)   # jieba imports pkg_resources
    import jieba

jieba.setLogLevel(logging.WARNING)

USERDICT = Path(__file__).with_name("data") / "userdict.txt"
MIN_FREQ = 20
_lock = threading.Lock()
_tokenizer = None


def _trimmed_dictionary():
    """Path of the trimmed jieba dictionary (created on first use), or None to use the full one."""
    source = Path(jieba.__file__).with_name("dict.txt")
    target = Path(tempfile.gettempdir()) / f"intents-jieba-{jieba.__version__}-f{MIN_FREQ}.txt"
    if target.exists():
        return str(target)
    try:
        lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = "".join(line for line in lines if int(line.split()[1]) >= MIN_FREQ)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(kept)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        return str(target)
    except (OSError, ValueError, IndexError):
        return None


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


def _load(path):
    """Initialised jieba tokenizer for `path`, falling back to jieba's full dictionary."""
    if path:
        try:
            tokenizer = jieba.Tokenizer(path)
            tokenizer.initialize()
            return tokenizer
        except (OSError, ValueError):
            pass
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def initialize() -> None:
    """Load jieba's dictionary and our user words (idempotent, thread-safe)."""
    global _tokenizer
    if _tokenizer is not None:
        return
    with _lock:
        if _tokenizer is None:
            tokenizer = _load(_trimmed_dictionary())
            for word, freq in _user_words():
                tokenizer.add_word(word, freq)
            _tokenizer = tokenizer


def words(text: str) -> list:
    initialize()
    return [w for w in _tokenizer.lcut(text, HMM=False) if not w.isspace()]
