"""The embeds' URLs, outside /api/: /badge/<framework>/<feature>.svg, /embed/compare/…/."""

from django.urls import path, re_path

from . import embeds

app_name = "embed"

urlpatterns = [
    path("badge/<slug:framework>/<slug:feature>.svg", embeds.badge, name="badge"),
    # The same slugs as /compare/ (comparisons/urls.py): the view splits on "-vs-".
    re_path(
        r"^embed/compare/(?P<slugs>[a-z0-9][-a-z0-9]*(?:-vs-[a-z0-9][-a-z0-9]*)+)/$",
        embeds.compare,
        name="compare",
    ),
]
