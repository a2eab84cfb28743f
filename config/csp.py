"""The Content-Security-Policy middleware: the strict site policy everywhere, plus the few
admin-only allowances listed in settings.ADMIN_CONTENT_SECURITY_POLICY_UPDATE.

django-csp has per-view decorators but no per-path policy, and the admin's views are not
ours to decorate; so the allowance is added here, by path, and only under the admin's URL.
Public pages never get it (tests/security/test_csp.py checks both).
"""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.urls import reverse


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        allowance = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY_UPDATE", None)
        if allowance and not report_only and request.path_info.startswith(reverse("admin:index")):
            parts.update = {**allowance, **(parts.update or {})}
        return parts
