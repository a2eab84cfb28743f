from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
# No `.json` twins of every URL: JSON is the only format.
router.include_format_suffixes = False
router.register("categories", views.CategoryViewSet, basename="category")
router.register("features", views.FeatureViewSet, basename="feature")
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("sources", views.SourceViewSet, basename="source")
router.register("claims", views.ClaimViewSet, basename="claim")

urlpatterns = [
    path("", views.docs, name="docs"),
    path("v1/openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("v1/matrix/", views.MatrixView.as_view(), name="matrix"),
    path("v1/changes/", views.ChangesView.as_view(), name="changes"),
    path("v1/", include(router.urls)),
    # Last: whatever else is asked under /api/v1/ gets the API's JSON 404.
    re_path(r"^v1/(?P<rest>(?s:.*))\Z", views.not_found, name="not-found"),
]
