"""The read-only API: `/api/v1/` lists and details of published knowledge, and the matrix.

Thin views: a queryset that reads only public knowledge (claims through
`Claim.objects.published()`) with what its serializer needs prefetched, a FilterSet for the
query string, page-number pagination with `next` links. Every view answers GET and HEAD only
(405 otherwise), carries an ETag and Cache-Control (api/conditional.py), and is throttled per
address (api/throttling.py).
"""

from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from comparisons import selectors
from comparisons.change_exports import change_json
from comparisons.change_filters import ChangeFilter
from comparisons.changes import change_days, change_days_flatten, change_list
from comparisons.filters import MatrixFilter
from comparisons.parts import NoSuchPart
from comparisons.renames import renamed_filter_redirect
from knowledge.models import (
    Category,
    Citation,
    Claim,
    Feature,
    Framework,
    Source,
    SourceKind,
    SupportLevel,
)

from . import filters, serializers
from .changes import ChangesSchema
from .conditional import conditional
from .matrix import MatrixSchema, matrix_payload
from .schema import ERROR_RESPONSES


class Pages(PageNumberPagination):
    """Page-number pagination; a page or page size that is not a whole number from 1 up is a
    bad parameter (400) rather than silently the default, a page past the end is 404."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        errors = {}
        for name in (self.page_query_param, self.page_size_query_param):
            value = request.query_params.get(name)
            if value is not None and not (value.isascii() and value.isdigit() and int(value) > 0):
                errors[name] = [f"Must be a whole number from 1 up, not {value[:20]!r}."]
        if errors:
            raise exceptions.ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)


# Exempt like the DRF views beside it: it writes nothing, so a POST gets 405, not a CSRF 403.
@csrf_exempt
@require_safe
def not_found(request, rest=""):
    """Any other address under /api/v1/: a JSON 404 like the API's own, not the HTML page."""
    return JsonResponse({"status": 404, "message": "No such API address."}, status=404)


class FollowingRenames:
    """A filter refused because it names a renamed slug (`?framework=` a former slug) answers
    301 to the same URL with today's slug, as the HTML pages do; a detail naming one is a 404
    that comparisons.renames.RenamedSlugMiddleware turns into its 301."""

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
            renamed = renamed_filter_redirect(self.request._request, exc.detail)
            if renamed is not None:
                return renamed
        return super().handle_exception(exc)


@method_decorator(conditional(), name="dispatch")
class ReadOnlyViewSet(FollowingRenames, viewsets.ReadOnlyModelViewSet):
    pagination_class = Pages
    filter_backends = [DjangoFilterBackend]
    # What the slug and int path converters of the HTML pages accept; drf-spectacular puts it
    # in the schema, so clients (and the fuzzer) know what an id or slug looks like.
    lookup_value_regex = "[-a-zA-Z0-9_]+"


class CategoryViewSet(ReadOnlyViewSet):
    """Categories of features, by `order` then name."""

    queryset = Category.objects.order_by("order", "name", "pk")
    serializer_class = serializers.CategorySerializer
    lookup_field = "slug"


class FeatureViewSet(ReadOnlyViewSet):
    """Features, in matrix order (by category, then `order`, then name)."""

    queryset = (
        Feature.objects.select_related("category")
        .prefetch_related("tags", "values")
        .order_by("category__order", "category__name", "order", "name", "pk")
    )
    serializer_class = serializers.FeatureSerializer
    filterset_class = filters.FeatureFilter
    lookup_field = "slug"


class FrameworkViewSet(ReadOnlyViewSet):
    """Frameworks, by name."""

    queryset = Framework.objects.prefetch_related("tags", "releases").order_by("name", "pk")
    serializer_class = serializers.FrameworkSerializer
    filterset_class = filters.FrameworkFilter
    lookup_field = "slug"


class SourceViewSet(ReadOnlyViewSet):
    """Every source, by title, as on /sources/."""

    queryset = Source.objects.public().order_by("title", "pk")
    serializer_class = serializers.SourceSerializer
    filterset_class = filters.SourceFilter


class ClaimViewSet(ReadOnlyViewSet):
    """Published claims, each with its citations (quote, locator, source). Drafts, claims in
    review and retracted claims are never shown."""

    queryset = (
        Claim.objects.published()
        .select_related("framework", "feature", "feature_value", "since_version", "until_version")
        .prefetch_related(
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("source", "verification").order_by("id"),
                to_attr="citation_list",
            )
        )
        .order_by("pk")
    )
    serializer_class = serializers.ClaimSerializer
    filterset_class = filters.ClaimFilter


def _choices(enum) -> list[str]:
    return list(enum.values)


@method_decorator(conditional(), name="dispatch")
class MatrixView(FollowingRenames, APIView):
    """The comparison matrix: the same rows, cells, order and footnote numbers as `/matrix/`
    with the same query string (built by the page's own selector)."""

    @extend_schema(
        operation_id="matrix_retrieve",
        parameters=[
            OpenApiParameter("framework", str, many=True, description="Columns (slugs)."),
            OpenApiParameter("category", str, many=True, description="Rows in these."),
            OpenApiParameter("tag", str, description="Rows whose feature has this tag."),
            OpenApiParameter("q", str, description="Words in a feature's name or description."),
            OpenApiParameter("support", str, many=True, enum=_choices(SupportLevel)),
            OpenApiParameter("source_kind", str, enum=_choices(SourceKind)),
            OpenApiParameter("differ", OpenApiTypes.BOOL, description="Only rows that differ."),
            OpenApiParameter("hide_unknown", OpenApiTypes.BOOL, description="Hide unknown rows."),
            OpenApiParameter(
                "release",
                str,
                description="framework@version: that column as of one of its releases.",
            ),
            OpenApiParameter(
                "as_of",
                OpenApiTypes.DATE,
                description="A past day: the matrix as it stood at its end, from the history.",
            ),
            OpenApiParameter(
                "part",
                OpenApiTypes.INT,
                description="Which part of a matrix too large for one response (from 1; the "
                "first when absent): see `parts`.",
            ),
        ],
        responses={200: MatrixSchema, **ERROR_RESPONSES},
    )
    def get(self, request):
        # Bounded as the page is: at most MATRIX_PAGE_CELLS cells per response, so a tool's
        # request costs what it shows, not what is stored; `parts` links the rest.
        try:
            result = selectors.matrix_get(data=request.query_params, paged=True)
        except NoSuchPart as error:
            raise exceptions.NotFound(str(error)) from None
        filterset: MatrixFilter = result.filterset
        if not filterset.is_valid():
            raise exceptions.ValidationError(
                {name: list(messages) for name, messages in filterset.form.errors.items()}
            )
        origin = f"{request.scheme}://{request.get_host()}"
        return Response(
            matrix_payload(
                result,
                origin=origin,
                api_path=request.path,
                page_path=reverse("comparisons:matrix"),
            )
        )


@method_decorator(conditional(), name="dispatch")
class ChangesView(FollowingRenames, APIView):
    """What changed in the published knowledge: the list of `/changes/` with the same query
    string (the page's form and selector)."""

    @extend_schema(
        operation_id="changes_list",
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE, description="First day (30 days ago)."),
            OpenApiParameter("until", OpenApiTypes.DATE, description="Last day (today)."),
            OpenApiParameter("framework", str, many=True, description="Frameworks (slugs)."),
            OpenApiParameter("feature", str, description="A feature (slug)."),
            OpenApiParameter("category", str, many=True, description="Categories (slugs)."),
        ],
        responses={200: ChangesSchema, **ERROR_RESPONSES},
    )
    def get(self, request):
        form = ChangeFilter(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {name: list(messages) for name, messages in form.errors.items()}
            )
        return Response(
            change_json(
                change_days_flatten(change_days(change_list(**form.selection()))),
                selection=form.selection(),
                absolute=request.build_absolute_uri,
            )
        )


@csrf_exempt
@require_safe
@conditional()
def docs(request):
    """The documentation page: Swagger UI over the schema, from our own static files."""
    return render(
        request,
        "api/docs.html",
        {"schema_url": reverse("api:openapi"), "api_root": reverse("api:api-root")},
    )
