"""Placeholders: the public-site work replaces each with the real view."""

from django.http import Http404


def _not_built_yet(request, **kwargs):
    raise Http404("Not built yet.")


framework_list = framework_detail = feature_list = feature_detail = _not_built_yet
category_detail = tag_detail = claim_detail = source_list = source_detail = search = _not_built_yet


class ClaimsFeed:
    def __call__(self, request, **kwargs):
        raise Http404("Not built yet.")
