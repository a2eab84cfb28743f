"""Finding a quote in a page's text: exactly, then normalised, then fuzzily.

1. *Exact*: the quote is a substring of the text.
2. *Normalised*: both are reduced to their words — Unicode NFKC, case folded, every run of
   punctuation and white space (curly or straight quotes, dashes, ellipses, backticks,
   `route()` against `route`) a mere word break — and markup that is not prose is dropped from
   the page first: reST roles (``:func:`x` ``, the hidden ``~module.`` of
   ``:func:`~module.x` ``), link targets (`` `text <url>`_ ``, ``[text](url)``) and HTML
   tags. The quote's words must appear in order, side by side.
3. *Fuzzy*: rapidfuzz's `partial_ratio` between the normalised quote and the best-aligned
   stretch of the normalised page, 0–100. At or above FUZZY_THRESHOLD the quote counts as
   *reworded*; quotes of fewer than FUZZY_MIN_WORDS words are never matched fuzzily, because a
   short phrase scores high by chance on a long page.

Steps 1 and 2 both mean *verified*: the same words are on the page. Positions are kept from the
original text throughout, so the passage is shown as the page has it, with its context.
"""

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

# 85 keeps a sentence with a word or two changed (typically 88–97) and refuses unrelated text
# of the same subject, which scores 50–75 on the shipped documentation pages.
FUZZY_THRESHOLD = 85.0
FUZZY_MIN_WORDS = 5
CONTEXT_CHARS = 150
EDGE_WORDS = 3

_WORD = re.compile(r"[^\W_]+")  # letters and digits; "_" of `url_for` or `link`_ is a break
# Markup whose words are not prose: a reST role name, a reST or Markdown link target, a tag.
_MARKUP = re.compile(
    r""":[\w.+-]+:(?=`)"""  # :func: in :func:`route`
    r"""|(?<=`)~(?:\w+\.)+"""  # ~flask. in :func:`~flask.url_for`, which shows "url_for"
    r"""|\s*<[^<>\s]+>(?=`)"""  # <https://…> in `text <https://…>`_ or :ref:`text <target>`
    r"""|\]\([^()\s]*\)"""  # (https://…) in [text](https://…)
    r"""|</?[a-zA-Z][^<>]{0,200}>"""  # an HTML tag
)


@dataclass(frozen=True)
class Match:
    method: str  # "exact", "normalised", "fuzzy"
    score: float
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    before: str
    passage: str
    after: str


def _words(text: str, skip_markup: bool) -> list[tuple[str, int, int]]:
    """Each word of `text`, normalised, with its start and end in `text`."""
    skipped = [m.span() for m in _MARKUP.finditer(text)] if skip_markup else []
    words, span_index = [], 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        while span_index < len(skipped) and skipped[span_index][1] <= start:
            span_index += 1
        if span_index < len(skipped) and skipped[span_index][0] <= start:
            continue
        word = unicodedata.normalize("NFKC", match.group()).casefold()
        words.append((word, start, end))
    return words


def _find_run(needle: list[str], haystack: list[str]) -> int | None:
    """Where the words `needle` first appear together, in order, in `haystack`."""
    if not needle:
        return None
    first = needle[0]
    size = len(needle)
    for i, word in enumerate(haystack):
        if word == first and haystack[i : i + size] == needle:
            return i
    return None


def find(quote: str, text: str) -> Match | None:
    """Where `quote` is in `text`, and how it was found; None when it is not there."""
    quote = quote.strip()
    if not quote:
        return None
    index = text.find(quote)
    if index >= 0:
        return Match("exact", 100.0, index, index + len(quote))
    quote_words = [w for w, _, _ in _words(quote, skip_markup=True)]
    page = _words(text, skip_markup=True)
    page_words = [w for w, _, _ in page]
    found = _find_run(quote_words, page_words)
    if found is not None:
        return Match("normalised", 100.0, page[found][1], page[found + len(quote_words) - 1][2])
    if len(quote_words) < FUZZY_MIN_WORDS or not page:
        return None
    return _fuzzy(quote_words, page)


def _fuzzy(quote_words: list[str], page: list[tuple[str, int, int]]) -> Match | None:
    needle = " ".join(quote_words)
    haystack = " ".join(w for w, _, _ in page)
    alignment = fuzz.partial_ratio_alignment(needle, haystack, score_cutoff=FUZZY_THRESHOLD)
    if alignment is None:
        return None
    # Map the aligned stretch of the joined words back to words, then to the original text.
    starts, position = [], 0
    for word, _, _ in page:
        starts.append(position)
        position += len(word) + 1
    first = _word_at(starts, alignment.dest_start)
    last = _word_at(starts, max(alignment.dest_end - 1, alignment.dest_start))
    first, last = _tightest(needle, [w for w, _, _ in page], first, last)
    return Match("fuzzy", round(alignment.score, 1), page[first][1], page[last][2])


def _tightest(needle: str, words: list[str], first: int, last: int) -> tuple[int, int]:
    """The run of whole words near first..last that reads most like the quote.

    The alignment is character-based and may begin or end inside a neighbouring word; moving
    each end by up to EDGE_WORDS words and keeping the best `fuzz.ratio` gives the passage a
    reader recognises.
    """
    best = (-1.0, first, last)
    for start in range(max(0, first - EDGE_WORDS), min(last, first + EDGE_WORDS) + 1):
        for end in range(max(start, last - EDGE_WORDS), min(len(words) - 1, last + EDGE_WORDS) + 1):
            score = fuzz.ratio(needle, " ".join(words[start : end + 1]))
            if score > best[0]:
                best = (score, start, end)
    return best[1], best[2]


def _word_at(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low


def _tidy(text: str) -> str:
    return " ".join(text.split())


def passage_in_context(text: str, match: Match, context: int = CONTEXT_CHARS) -> Passage:
    """The matched passage with about `context` characters each side, cut at word breaks."""
    before = text[max(0, match.start - context) : match.start]
    after = text[match.end : match.end + context]
    if match.start - context > 0 and " " in before:
        before = "…" + before.split(" ", 1)[1]
    if match.end + context < len(text) and " " in after:
        after = after.rsplit(" ", 1)[0] + "…"
    lead = " " if before[-1:].isspace() else ""
    trail = " " if after[:1].isspace() else ""
    return Passage(
        before=(_tidy(before) + lead)[:300],
        passage=_tidy(text[match.start : match.end]),
        after=(trail + _tidy(after))[:300],
    )
