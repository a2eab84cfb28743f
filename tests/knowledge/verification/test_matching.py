"""Finding quotes: exact, normalised, fuzzy, and the passage shown around a match."""

import pytest

from knowledge.verification.matching import FUZZY_THRESHOLD, find, passage_in_context

TEXT = (
    "Routing\n=======\n\nModern web applications use meaningful URLs. Use the :meth:`~Flask.route` "
    "decorator to bind a function to a URL — it’s “simple”… See `the quickstart "
    "<https://flask.example/quickstart/>`_ and the [API docs](https://flask.example/api/) "
    "for more. <strong>Variable</strong> rules come next. Read :attr:`~flask.request.files` "
    "and :ref:`the tutorial <tutorial-intro>` first."
)


def test_an_exact_quote_is_found_where_it_is():
    match = find("Modern web applications use meaningful URLs.", TEXT)
    assert match.method == "exact"
    assert TEXT[match.start : match.end] == "Modern web applications use meaningful URLs."


@pytest.mark.parametrize(
    "quote",
    [
        'Use the route() decorator to bind a function to a URL - it\'s "simple"...',
        "use  the ROUTE decorator\nto bind a function to a url",
        "See the quickstart and the API docs for more.",
        "Variable rules come next.",
        "Read files and the tutorial first.",
        "Modern web applications use meaningful ＵＲＬｓ",  # full-width letters (NFKC)
    ],
)
def test_typography_case_space_and_markup_do_not_stop_a_match(quote):
    match = find(quote, TEXT)
    assert match is not None and match.method in ("exact", "normalised")
    assert match.score == 100


def test_a_changed_word_is_a_fuzzy_match_above_the_threshold():
    match = find("Use the route decorator to attach a function to a URL", TEXT)
    assert match.method == "fuzzy" and FUZZY_THRESHOLD <= match.score < 100


def test_other_text_on_the_same_subject_is_not_found():
    assert find("Class-based views dispatch each HTTP method to a method", TEXT) is None


def test_short_quotes_are_never_matched_fuzzily():
    assert find("bind a functor", TEXT) is None
    assert find("decorator to bind a functor to a URL", TEXT).method == "fuzzy"


def test_the_passage_comes_with_about_150_characters_each_side_cut_at_words():
    text = " ".join(f"word{i}" for i in range(200))
    match = find("word100 word101 word102", text)
    context = passage_in_context(text, match)
    assert context.passage == "word100 word101 word102"
    assert context.before.startswith("…word") and context.before.endswith("word99 ")
    assert context.after.startswith(" word103") and context.after.endswith("…")
    assert 120 <= len(context.before) <= 152 and 120 <= len(context.after) <= 152


def test_a_match_at_the_start_has_no_ellipsis():
    context = passage_in_context(TEXT, find("Routing", TEXT))
    assert context.before == "" and not context.after.startswith("…")
