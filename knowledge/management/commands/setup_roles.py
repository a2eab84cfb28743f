"""Create or update the Curators group: the content curators edit, and nothing about users."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

CURATORS = "Curators"

# (app label, model name, actions). Curators view, add and change the content. They delete
# only rows that are edited as inline lists (a claim's citations, a comparison's frameworks,
# tags on a feature or framework), because an inline cannot remove a row without the delete
# permission. Claims are retracted rather than deleted, so their history stays meaningful;
# sources, frameworks, features and categories are deleted by an administrator. Users, groups
# and permissions are never theirs: a curator must not be able to grant themselves more.
# Other apps add theirs as `curator_permissions` on their AppConfig ([(model, actions)]).
CURATOR_PERMISSIONS = [
    ("knowledge", "category", ["view", "add", "change"]),
    ("knowledge", "feature", ["view", "add", "change"]),
    ("knowledge", "framework", ["view", "add", "change"]),
    ("knowledge", "source", ["view", "add", "change"]),
    ("knowledge", "claim", ["view", "add", "change"]),
    ("knowledge", "citation", ["view", "add", "change", "delete"]),
    ("knowledge", "taggedfeature", ["view", "add", "change", "delete"]),
    ("knowledge", "taggedframework", ["view", "add", "change", "delete"]),
    ("taggit", "tag", ["view", "add", "change"]),
]


def curator_permissions():
    """The curators' Permission rows, or CommandError naming any that do not exist yet."""
    added = [
        (config.label, model, actions)
        for config in apps.get_app_configs()
        for model, actions in getattr(config, "curator_permissions", [])
    ]
    wanted = {
        (app_label, f"{action}_{model}")
        for app_label, model, actions in CURATOR_PERMISSIONS + added
        for action in actions
    }
    query = Q()
    for app_label, codename in wanted:
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        names = ", ".join(sorted(f"{app}.{codename}" for app, codename in missing))
        raise CommandError(f"These permissions do not exist yet: {names}. Run migrate first.")
    return found


class Command(BaseCommand):
    help = (
        f"Create the “{CURATORS}” group, or reset it, with exactly the curators' permissions: "
        "view, add and change the knowledge base and comparisons; delete only inline rows "
        "(citations, compared frameworks, tag links); view and decide readers' suggestions "
        "(not see their e-mail). No permission on users, groups or "
        "permissions. Safe to run again: permissions added to the group by hand are removed. "
        "Make a curator by making the user staff (is_staff) and putting them in the group."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        permissions = curator_permissions()
        group, created = Group.objects.get_or_create(name=CURATORS)
        before = set(group.permissions.values_list("pk", flat=True))
        group.permissions.set(permissions)
        after = {p.pk for p in permissions}
        if created:
            state = "created"
        elif before == after:
            state = "unchanged"
        else:
            state = f"updated ({len(after - before)} added, {len(before - after)} removed)"
        self.stdout.write(f"{CURATORS} group {state}: {len(after)} permissions.")
