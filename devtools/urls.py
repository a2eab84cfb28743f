"""The benchmark's URLconf: the site's, plus the pages its figures are measured against. Only
the benchmark uses it (as ROOT_URLCONF, through override_settings or a server's settings)."""

from django.urls import include, path

from .benchmark_browser import BARE_MATRIX_PATH
from .views import bare_matrix, hello

HELLO_PATH = "/__benchmark__/hello/"

urlpatterns = [
    path(HELLO_PATH.strip("/") + "/", hello),
    path(BARE_MATRIX_PATH.strip("/") + "/", bare_matrix),
    path("", include("config.urls")),
]
