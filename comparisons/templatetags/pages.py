"""Template tags of the public site's layout: canonical link, navigation, support badges."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from comparisons import canonical
from comparisons.support import claim_display, support_display

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The page's absolute URL, or "" where there is no request (500): without query string,
    except the valid filters of a filtered matrix page (`canonical_query`)."""
    request = context.get("request")
    if request is None:
        return ""
    query = context.get("canonical_query")
    return request.build_absolute_uri(f"{request.path}?{query}" if query else request.path)


@register.simple_tag(takes_context=True)
def nav_link(context, url_name, label):
    """A navigation link, marked as the current page when the request is at or under it."""
    url = reverse(url_name)
    request = context.get("request")
    if request is not None and request.path.startswith(url) and url != "/":
        return format_html('<a href="{}" aria-current="page">{}</a>', url, label)
    return format_html('<a href="{}">{}</a>', url, label)


@register.inclusion_tag("comparisons/_support.html")
def support_badge(level):
    """`{% support_badge claim.support %}`: the level's symbol and label, in one span."""
    return {"support": support_display(level)}


@register.inclusion_tag("comparisons/_support.html")
def claim_badge(claim):
    """`{% claim_badge claim %}`: what the claim says, its support level or the value it picks
    (its feature and value selected with it), as one badge."""
    return {"support": claim_display(claim)}


@register.filter
def http_url(url):
    """`url` if it is a web address, else "": a link is only ever made to http(s)."""
    text = str(url or "")
    return text if text.lower().startswith(("http://", "https://")) else ""


@register.simple_tag(takes_context=True)
def page_query(context, parameter, number):
    """The current query string with `parameter` set to page `number` (the first page drops
    it), spelled as `comparisons.canonical` spells it, so a pager's link is never redirected."""
    request = context["request"]
    query = request.GET.copy()
    query.pop(parameter, None)
    if number != 1:
        query[parameter] = number
    return f"?{canonical.page_query(request.resolver_match.url_name, query.items())}"
