from django.db.models.signals import pre_save
from django.dispatch import receiver

from .markdown import render_markdown


@receiver(pre_save, dispatch_uid="knowledge.render_markdown_fields")
def render_markdown_fields(sender, instance, **kwargs):
    """Store the sanitised HTML of every markdown field beside its source text.

    A pre_save receiver rather than `save()`, because `loaddata` saves raw and skips `save()`:
    this way a fixture can never carry HTML of its own into a page.
    """
    for source_field, html_field in getattr(sender, "markdown_fields", {}).items():
        setattr(instance, html_field, render_markdown(getattr(instance, source_field)))
