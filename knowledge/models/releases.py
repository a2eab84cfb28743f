"""A framework's released versions, and the latest and supported ones derived from them."""

import re

from django.db import models
from django.db.models import Q


def version_key(version: str) -> tuple:
    """A version string as something that sorts: "0.9" < "0.10" < "1.0" < "1.0.1".

    Numbers compare as numbers and any other text as text; releases name their versions with
    dots and digits, so nothing more (PEP 440 parsing) is needed.
    """
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|[a-z]+", version.lower())
    )


class ReleaseManager(models.Manager):
    def get_by_natural_key(self, framework_slug, version):
        return self.get(framework__slug=framework_slug, version=version)


class Release(models.Model):
    """One released version of a framework: the latest and the supported ones derive from these."""

    framework = models.ForeignKey("Framework", on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(max_length=50, help_text="As the project names it: “5.2”, “3.1”.")
    released_on = models.DateField(
        "released", null=True, blank=True, help_text="The date of the release, when known."
    )
    is_lts = models.BooleanField("long-term support", default=False)
    end_of_support = models.DateField(
        null=True,
        blank=True,
        help_text="The last day of security fixes, where the project has announced one.",
    )
    notes = models.CharField(
        max_length=300, blank=True, help_text="Where the date comes from (a change log, notes)."
    )

    objects = ReleaseManager()

    class Meta:
        ordering = ["framework", "-released_on", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "version"],
                name="unique_release_version",
                violation_error_message="This framework already has a release with this version.",
            ),
            models.CheckConstraint(
                condition=Q(end_of_support__isnull=True)
                | Q(released_on__isnull=True)
                | Q(end_of_support__gte=models.F("released_on")),
                name="release_support_ends_after_release",
                violation_error_message="Support cannot end before the release date.",
            ),
        ]

    def __str__(self):
        return self.version

    def natural_key(self):
        return self.framework.natural_key() + (self.version,)

    natural_key.dependencies = ["knowledge.framework"]


def latest_release(releases):
    """The latest of `releases` (already fetched): the newest date, then the highest version."""
    return max(
        releases,
        key=lambda release: (
            release.released_on is not None,
            release.released_on,
            version_key(release.version),
        ),
        default=None,
    )


def releases_supported(releases, *, today):
    """Of `releases` (already fetched), those still supported on `today`, newest first.

    A release is supported until its announced end of support; the latest release is
    supported while its project has announced no end for it.
    """
    latest = latest_release(releases)
    supported = [
        release
        for release in releases
        if (release.end_of_support and release.end_of_support >= today)
        or (release == latest and release.end_of_support is None)
    ]
    return sorted(supported, key=lambda release: version_key(release.version), reverse=True)
