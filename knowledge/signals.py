from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from . import history
from .markdown import render_markdown
from .models import FormerSlug
from .provenance import guess_provenance


def citation_provenance_guess(citation):
    """The provenance `citation` would get from its source and its claim's framework."""
    source = citation.source
    framework = citation.claim.framework
    return guess_provenance(
        source_url=source.url,
        source_publisher=source.publisher,
        framework_urls=[framework.homepage, framework.documentation_url, framework.repository_url],
        framework_names=[framework.name, framework.maintainer],
    )


@receiver(pre_save, dispatch_uid="knowledge.render_markdown_fields")
def render_markdown_fields(sender, instance, **kwargs):
    """Store the sanitised HTML of every markdown field beside its source text.

    A pre_save receiver rather than `save()`, because `loaddata` saves raw and skips `save()`:
    this way a fixture can never carry HTML of its own into a page.
    """
    for source_field, html_field in getattr(sender, "markdown_fields", {}).items():
        setattr(instance, html_field, render_markdown(getattr(instance, source_field)))


@receiver(pre_save, sender="knowledge.Citation", dispatch_uid="knowledge.citation_provenance")
def set_citation_provenance(sender, instance, **kwargs):
    """A citation saved without provenance gets the guess from its source and framework.

    A pre_save receiver for the same reason as above: `loadkb` saves raw, and a fixture
    written before provenance existed must still come out with one.
    """
    if instance.provenance or instance.source_id is None or instance.claim_id is None:
        return
    instance.provenance = citation_provenance_guess(instance)


# "Last changed" of a claim covers its evidence. loadkb's raw saves are handled by the loader,
# which knows whether a fixture changed anything.


@receiver(post_save, sender="knowledge.Citation", dispatch_uid="knowledge.citation_saved")
@receiver(post_delete, sender="knowledge.Citation", dispatch_uid="knowledge.citation_deleted")
def citation_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        history.claims_mark_evidence_changed(claim_ids=[instance.claim_id])


@receiver(pre_save, sender="knowledge.Source", dispatch_uid="knowledge.source_saving")
def source_remember_shown(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._stored_before_save = history.stored_values(instance)


@receiver(post_save, sender="knowledge.Source", dispatch_uid="knowledge.source_saved")
def source_changed(sender, instance, raw=False, **kwargs):
    stored = getattr(instance, "_stored_before_save", None)
    if not raw and stored is not None:
        history.claims_mark_evidence_changed(
            claim_ids=history.evidence_changed_claim_ids(instance, stored)
        )


# -- Former slugs ------------------------------------------------------------------------------
# Renaming a slug that public URLs carry records the old one (models/slugs.py), so that the old
# URLs redirect. loadkb's raw saves find objects by their slug, so they never rename one.


def _slug_remember(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._slug_before_save = None
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("slug", flat=True)
    instance._slug_before_save = stored.first()


def _slug_record(sender, instance, raw=False, **kwargs):
    before = getattr(instance, "_slug_before_save", None)
    if raw or not before or before == instance.slug:
        return
    content_type = ContentType.objects.get_for_model(sender)
    FormerSlug.objects.update_or_create(
        content_type=content_type, slug=before, defaults={"object_id": instance.pk}
    )
    # The new slug is live again: it leads to this object, whatever it led to before.
    FormerSlug.objects.filter(content_type=content_type, slug=instance.slug).delete()


def _slugs_forget(sender, instance, **kwargs):
    # A deleted object's former slugs lead nowhere (and name no object for dumpkb to write).
    FormerSlug.objects.filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk
    ).delete()


def slug_history_connect(model: str) -> None:
    """Record the former slugs of `model` ("app_label.Model") from now on, and forget them
    when it is deleted."""
    pre_save.connect(_slug_remember, sender=model, dispatch_uid=f"slug_remember:{model}")
    post_save.connect(_slug_record, sender=model, dispatch_uid=f"slug_record:{model}")
    post_delete.connect(_slugs_forget, sender=model, dispatch_uid=f"slugs_forget:{model}")


for _model in ("knowledge.Framework", "knowledge.Feature", "knowledge.Category", "taggit.Tag"):
    slug_history_connect(_model)
