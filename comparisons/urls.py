from django.urls import path, re_path
from django.views.decorators.http import require_safe

from . import change_views, detail_views, feeds, views

app_name = "comparisons"

urlpatterns = [
    path("", views.home, name="home"),
    path("matrix/", views.matrix, name="matrix"),
    path("matrix/export.csv", views.matrix_csv, name="matrix-csv"),
    path("matrix/export.json", views.matrix_json, name="matrix-json"),
    # /compare/django-vs-flask/, /compare/django-vs-flask-vs-fastapi/: slugs may hold hyphens,
    # so the view splits on "-vs-".
    re_path(
        r"^compare/(?P<slugs>[a-z0-9][-a-z0-9]*(?:-vs-[a-z0-9][-a-z0-9]*)+)/$",
        views.compare,
        name="compare",
    ),
    path("comparisons/", views.comparison_list, name="comparison-list"),
    path("comparisons/<slug:slug>/", views.comparison_detail, name="comparison-detail"),
    path("frameworks/", detail_views.framework_list, name="framework-list"),
    path("frameworks/<slug:slug>/", detail_views.framework_detail, name="framework-detail"),
    path("features/", detail_views.feature_list, name="feature-list"),
    path("features/<slug:slug>/", detail_views.feature_detail, name="feature-detail"),
    path("categories/<slug:slug>/", detail_views.category_detail, name="category-detail"),
    path("tags/<slug:slug>/", detail_views.tag_detail, name="tag-detail"),
    path("claims/<int:pk>/", detail_views.claim_detail, name="claim-detail"),
    path("sources/", detail_views.source_list, name="source-list"),
    path("sources/<int:pk>/", detail_views.source_detail, name="source-detail"),
    path("search/", detail_views.search, name="search"),
    path("changes/", change_views.changes, name="changes"),
    path("changes/export.csv", change_views.changes_csv, name="changes-csv"),
    path("changes/export.json", change_views.changes_json, name="changes-json"),
    path("feeds/claims/", require_safe(detail_views.ClaimsFeed()), name="claims-feed"),
    path(
        "feeds/frameworks/<slug:slug>/",
        require_safe(feeds.FrameworkChangesFeed()),
        name="framework-changes-feed",
    ),
    path(
        "feeds/features/<slug:slug>/",
        require_safe(feeds.FeatureChangesFeed()),
        name="feature-changes-feed",
    ),
    path(
        "feeds/comparisons/<slug:slug>/",
        require_safe(feeds.ComparisonChangesFeed()),
        name="comparison-changes-feed",
    ),
]
