from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComparisonsConfig(AppConfig):
    name = "comparisons"
    verbose_name = "Comparisons"

    def ready(self):
        from . import invalidation
        from .cache import bump_content_version

        invalidation.connect()
        # A deploy runs migrate: bumping then also retires pages rendered by the old code.
        post_migrate.connect(
            lambda **kwargs: bump_content_version(),
            sender=self,
            weak=False,
            dispatch_uid="comparisons.bump_after_migrate",
        )
