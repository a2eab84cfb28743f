from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComparisonsConfig(AppConfig):
    name = "comparisons"
    verbose_name = "Comparisons"
    # What this app adds to the knowledge base's fixtures (knowledge/loading.py: file, then
    # each model's natural-key fields) and to the Curators group (setup_roles), so that the
    # knowledge app never names it.
    knowledge_base_fixtures = {
        "05_comparisons.json": ["comparisons.comparison", "comparisons.comparisonframework"],
    }
    knowledge_base_natural_keys = {
        "comparisons.comparison": ["slug"],
        "comparisons.comparisonframework": ["comparison", "framework"],
    }
    curator_permissions = [
        ("comparison", ["view", "add", "change"]),
        ("comparisonframework", ["view", "add", "change", "delete"]),
    ]

    def ready(self):
        from knowledge.signals import slug_history_connect

        from . import invalidation
        from .cache import bump_content_version

        slug_history_connect("comparisons.Comparison")
        invalidation.connect()
        # A deploy runs migrate: bumping then also retires pages rendered by the old code.
        post_migrate.connect(
            lambda **kwargs: bump_content_version(),
            sender=self,
            weak=False,
            dispatch_uid="comparisons.bump_after_migrate",
        )
