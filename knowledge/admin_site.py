"""The project's admin site: bad input from a curator's typo or a forged request gets a clear
error (400 or an admin message), never a 500.

Django's admin trusts three kinds of input that reach the database unchecked: any query-string
or form value (PostgreSQL refuses a NUL character in a text parameter with a ValueError), the
ids posted with an action (`pk__in=["abc"]` raises while the query is built) and the add
form's initial values taken from the query string (an autocomplete widget looks them up to
label them). The site guards every admin view, including the autocomplete, in `admin_view`,
and mixes `HostileInputAdminMixin` into every ModelAdmin registered on it, the third-party
ones (auth, taggit, axes) included, so a new admin cannot forget it.

Installed by `CitegridAdminConfig` in place of "django.contrib.admin" in INSTALLED_APPS, so
`admin.site` and `@admin.register` keep working unchanged.
"""

from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.db import models

NUL = "\x00"


def refuse_nul_characters(request):
    """Raise BadRequest (a 400) when the path, a query-string or a form key or value holds a
    NUL: no text the admin stores or looks up may contain one, and PostgreSQL refuses it with
    an error that would otherwise surface as a 500."""
    if NUL in request.path:
        raise BadRequest("The address contains a NUL character.")
    for params in (request.GET, request.POST):
        for key, values in params.lists():
            if NUL in key or any(NUL in value for value in values):
                raise BadRequest("The request contains a NUL character.")


def clean_ids(field, values):
    """The values that `field` accepts as stored values (type and range), invalid ones left
    out, and whether any was left out."""
    cleaned = []
    for value in values:
        try:
            cleaned.append(field.clean(value, None))
        except ValidationError:
            continue
    return cleaned, len(cleaned) != len(values)


class HostileInputAdminMixin:
    """Validate what a ModelAdmin would otherwise hand to the database as it came."""

    def response_action(self, request, queryset):
        _, forged = clean_ids(self.opts.pk, request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        if forged:
            # Django's own wording for "nothing selected", plus why: running the action on
            # the valid part of a forged selection would change rows nobody chose.
            self.message_user(
                request,
                "Items must be selected in order to perform actions on them: the selection "
                "contained an id that is not one of this list's rows. No items have been "
                "changed.",
                messages.ERROR,
            )
            return None
        return super().response_action(request, queryset)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if not isinstance(field, (models.ForeignKey, models.ManyToManyField)):
                continue
            # A related-object widget looks the initial ids up to label them; an id its
            # target column cannot hold is dropped, as a stale one would be.
            many = isinstance(value, list)
            cleaned, _ = clean_ids(field.target_field, value if many else [value])
            if many:
                initial[name] = cleaned
            elif cleaned:
                initial[name] = cleaned[0]
            else:
                del initial[name]
        return initial


class CitegridAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            refuse_nul_characters(request)
            return view(request, *args, **kwargs)

        return super().admin_view(guarded, cacheable)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, HostileInputAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (HostileInputAdminMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)


class CitegridAdminConfig(AdminConfig):
    default_site = "knowledge.admin_site.CitegridAdminSite"
