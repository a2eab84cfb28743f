"""Version timelines: which release of a framework added or removed what, read from the
claims' since/until versions and the framework's releases ("async views: since 3.1").

Built in Python from claims and releases a page has already read: no query of its own.
"""

from dataclasses import dataclass

from knowledge.models import Feature, Release, version_key


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
