from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe

from comparisons.site_views import robots_txt
from comparisons.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("api/", include("api.urls")),
    path("", include("api.embed_urls")),
    path("", include("suggestions.urls")),
    path("", include("comparisons.urls")),
]

handler404 = "comparisons.site_views.page_not_found"
handler500 = "config.errors.server_error"
