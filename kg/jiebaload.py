"""jieba and its part-of-speech tagger, loaded in a third of the time jieba takes by itself.

Every process that reads a report (each build worker) needs jieba's dictionary: 350,000 words
with their frequencies and part-of-speech tags. Loaded by jieba, that costs ~2.5 s a process:

- ``import jieba`` imports ``pkg_resources`` to find its data files (0.25 s); when that import
  fails, jieba opens them by path, which is all it needs;
- ``import jieba.posseg`` re-reads the dictionary's text for the tags (1 s);
- the frequencies come from jieba's cache by ``marshal.load`` of an open file (1.6 s).

Here both tables are kept together in one file of the user's cache (:mod:`kg.usercache`),
made by jieba itself the first time, and read with one ``marshal.loads`` of its bytes (~0.6 s).
Import ``jieba`` and ``jieba.posseg`` from this module, never directly, so that this runs before
anything else starts jieba.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import marshal
import sys
from pathlib import Path

from . import usercache


@contextlib.contextmanager
def _unimportable(module: str):
    """``import module`` raises ImportError inside (unless it is imported already)."""
    if module in sys.modules:
        yield
        return
    sys.modules[module] = None  # type: ignore[assignment]  # what the import system reads as absent
    try:
        yield
    finally:
        del sys.modules[module]


with _unimportable("pkg_resources"):
    import jieba

jieba.setLogLevel(logging.WARNING)

if "jieba.posseg" in sys.modules:
    import jieba.posseg as posseg  # someone loaded it already: its tags are read
else:
    # posseg's import builds its tagger over the shared tokenizer, reading the tags from the
    # dictionary file it is given: an empty one, the tags are set below
    jieba.dt.get_dict_file = io.BytesIO  # type: ignore[method-assign]
    try:
        import jieba.posseg as posseg
    finally:
        del jieba.dt.get_dict_file  # the class's method shows again
    posseg.dt.word_tag_tab = {}


def _kept_name() -> str:
    """The cache file's name: jieba's version and its dictionary file's size and time."""
    dictionary = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME).stat()
    key = f"{jieba.__version__}:{dictionary.st_size}:{dictionary.st_mtime_ns}"
    return f"jieba-{hashlib.sha256(key.encode()).hexdigest()[:12]}.marshal"


def _load() -> None:
    """Fill the shared tokenizer's frequencies and the tagger's tags, from the cache or jieba."""
    dt, tagger = jieba.dt, posseg.dt
    fresh = dt.dictionary == jieba.DEFAULT_DICT and not dt.initialized and not tagger.word_tag_tab
    if fresh:
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            dt.FREQ, dt.total, tagger.word_tag_tab = marshal.loads(
                usercache.path(_kept_name()).read_bytes()
            )
            dt.initialized = True
            return
    dt.check_initialized()
    if not tagger.word_tag_tab:
        tagger.load_word_tag(dt.get_dict_file())
    if fresh:
        usercache.keep(_kept_name(), marshal.dumps((dt.FREQ, dt.total, tagger.word_tag_tab)))


_load()

__all__ = ["jieba", "posseg"]
