"""The public correction form: `/claims/<id>/suggest/` for a claim, `/suggest/?framework=…&
feature=…` for any cell (one with no claim too), and the thank-you page after it.

These are the only public pages that take a POST, so they are outside the page cache (which
serves the `comparisons` namespace only: comparisons/middleware.py) and are the only pages
that set a cookie, Django's CSRF cookie. A submission is stored only when it is valid, its
honeypot is empty and its address is under the limit (SUGGESTION_LIMIT per
SUGGESTION_WINDOW seconds, counted in the shared cache under a keyed hash of the address,
never the address itself); bad input gets the form again with its errors (400), a
rendering that counts against the render limit as a GET of the form does.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from comparisons.render_limit import retry_after, too_many_renders, window_retry_after
from config.client_ip import client_ip

from . import selectors
from .forms import SuggestionForm

THANKS = "suggestions:thanks"


def _address_key(request) -> str:
    # Keyed, so the cache never holds an address, nor a hash anyone could reverse by
    # hashing all four billion of them.
    return salted_hmac("citegrid.suggestions.address", client_ip(request)).hexdigest()[:32]


def _suggest(request, *, framework, feature, claim=None):
    context = {"framework": framework, "feature": feature, "claim": claim}
    if request.method != "POST":
        # Every rendering of the form is a fresh one, as a page-cache miss is.
        wait = retry_after(request)
        if wait is not None:
            return too_many_renders(wait)
        form = SuggestionForm(framework=framework, feature=feature, claim=claim)
        return render(request, "suggestions/form.html", {**context, "form": form})
    form = SuggestionForm(request.POST, framework=framework, feature=feature, claim=claim)
    if form.honeypot_filled:
        # Looks like success to the bot that filled it; nothing is stored or counted.
        return redirect(THANKS)
    if not form.is_valid():
        # The form again, with its errors, is a fresh rendering too: counted as a GET is, so
        # invalid POSTs are no way round the render limit.
        wait = retry_after(request)
        if wait is not None:
            return too_many_renders(wait)
        return render(request, "suggestions/form.html", {**context, "form": form}, status=400)
    wait = window_retry_after(
        "suggestions",
        _address_key(request),
        limit=settings.SUGGESTION_LIMIT,
        window=settings.SUGGESTION_WINDOW,
    )
    if wait is not None:
        response = render(request, "suggestions/too_many.html", status=429)
        response["Retry-After"] = str(wait)
        return response
    form.save()
    return redirect(THANKS)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def claim_suggest(request, pk):
    claim = selectors.claim_get_published(pk=pk)
    return _suggest(request, framework=claim.framework, feature=claim.feature, claim=claim)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cell_suggest(request):
    framework_slug = request.GET.get("framework", "")
    feature_slug = request.GET.get("feature", "")
    if not framework_slug or not feature_slug:
        # /suggest/ alone says how to reach a cell's form; half a cell is a bad request.
        status = 400 if framework_slug or feature_slug else 200
        return render(request, "suggestions/no_cell.html", status=status)
    framework, feature = selectors.cell_get(
        framework_slug=framework_slug, feature_slug=feature_slug
    )
    return _suggest(request, framework=framework, feature=feature)


# Takes no write, so needs no token: a POST is answered 405 as on every read-only page,
# rather than with the CSRF failure page.
@csrf_exempt
@require_safe
def thanks(request):
    return render(request, "suggestions/thanks.html")
