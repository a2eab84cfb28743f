"""What the admin pages of the knowledge base share: claim links in messages, the guard that
turns a refused delete into a message, the date filter and URL fields."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..forms import BatchedAutocompleteSelect
from ..models import claim_name

# How many claims a message or the source page lists before saying "and N more".
LISTED_CLAIMS = 50

LAST_CHANGED_FILTER = ("updated_at", admin.DateFieldListFilter)

# A curator pasting "docs.example.org/x" means the https page (Django 6 makes this the default).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def claim_links(claims, *, total=None, sep=", "):
    """Safe HTML links to the claims' admin pages, at most LISTED_CLAIMS of them.

    `claims` must have framework and feature selected; `total` says how many there are when
    the caller fetched only the first few. Messages use the default comma-separated run: the
    admin styles every <li> inside a message as a message of its own.
    """
    shown = list(claims[:LISTED_CLAIMS])
    links = format_html_join(
        sep,
        '<a href="{}">{}</a>',
        (
            (reverse("admin:knowledge_claim_change", args=[claim.pk]), claim_name(claim))
            for claim in shown
        ),
    )
    more = (len(claims) if total is None else total) - len(shown)
    tail = format_html("{}… and {} more", sep, more) if more > 0 else ""
    return format_html("{}{}", links, tail)


class DeleteGuardMixin:
    """Refuse deletes that a rule forbids with a message that says why, on the delete page
    and in the "delete selected" action, instead of Django's generic "cannot delete" page or,
    when the rule is only enforced by the database, a 500."""

    def delete_refusal(self, objs):
        """A safe HTML message saying why `objs` cannot be deleted, or None when they can."""
        raise NotImplementedError

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            refusal = self.delete_refusal([obj])
            if refusal:
                return self._refuse_delete(request, refusal, obj)
        try:
            return super().delete_view(request, object_id, extra_context)
        except ProtectedError:
            # Someone cited it between the check above and the delete.
            return self._refuse_delete(request, self.delete_refusal([obj]), obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_guarded_delete_selected, name, description)
        return actions

    def _refuse_delete(self, request, refusal, obj=None):
        self.message_user(request, refusal or "This cannot be deleted now.", messages.ERROR)
        opts = self.model._meta
        if obj is None:
            return None
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)


def _guarded_delete_selected(modeladmin, request, queryset):
    refusal = modeladmin.delete_refusal(list(queryset))
    if refusal:
        return modeladmin._refuse_delete(request, refusal)
    try:
        return delete_selected(modeladmin, request, queryset)
    except ProtectedError:
        return modeladmin._refuse_delete(request, modeladmin.delete_refusal(list(queryset)))


class BatchedAutocompleteInline(admin.StackedInline):
    """An inline whose autocomplete fields label their rows' values with one query in all."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                BatchedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
