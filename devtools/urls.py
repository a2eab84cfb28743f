"""The benchmark's URLconf: the site's, plus the trivial view the warm figure is measured
against. Only the benchmark uses it (as ROOT_URLCONF, through override_settings)."""

from django.urls import include, path

from .views import hello

HELLO_PATH = "/__benchmark__/hello/"

urlpatterns = [path(HELLO_PATH.strip("/") + "/", hello), path("", include("config.urls"))]
