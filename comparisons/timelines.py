"""Version timelines: which release of a framework added or removed what, read from the
claims' since/until versions and the framework's releases ("async views: since 3.1").

Built in Python from claims and releases a page has already read: no query of its own. And
the matrix's one column at a release (?release=django@4.2).
"""

from dataclasses import dataclass, replace

from knowledge.models import Feature, Release, version_key

from .matrix import ReleaseColumn


@dataclass(frozen=True)
class ReleaseChanges:
    release: Release
    added: list[Feature]
    removed: list[Feature]


def release_timeline_list(*, releases, claims) -> list[ReleaseChanges]:
    """The releases among `releases` that added or removed a feature according to `claims`
    (published claims of one framework, with their feature and versions selected), newest
    version first; each feature once per release, by name."""
    added, removed = {}, {}
    for claim in claims:
        for release_id, events in (
            (claim.since_version_id, added),
            (claim.until_version_id, removed),
        ):
            if release_id is not None:
                events.setdefault(release_id, {})[claim.feature_id] = claim.feature
    timeline = [
        ReleaseChanges(
            release=release,
            added=sorted(added.get(release.pk, {}).values(), key=lambda f: f.name),
            removed=sorted(removed.get(release.pk, {}).values(), key=lambda f: f.name),
        )
        for release in releases
        if release.pk in added or release.pk in removed
    ]
    return sorted(timeline, key=lambda item: version_key(item.release.version), reverse=True)


def release_column_pick(*, filterset, frameworks):
    """The columns, and the one ?release= shows as of a release (named "Django 4.2"); a
    release that is not one of a shown framework's is the form's error."""
    asked = filterset.release_asked()
    if asked is None:
        return frameworks, None
    slug, version = asked
    column = next((f for f in frameworks if f.slug == slug), None)
    if (
        column is None
        or not Release.objects.filter(framework_id=column.id, version=version).exists()
    ):
        filterset.form.add_error(
            "release", f"{slug}@{version} is not a release of a framework on this page."
        )
        return frameworks, None
    named = replace(column, name=f"{column.name} {version}")
    columns = [named if f is column else f for f in frameworks]
    return columns, ReleaseColumn(framework_id=column.id, version=version)
