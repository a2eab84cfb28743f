from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools import synthetic
from knowledge.markdown import render_markdown
from knowledge.models import (
    Category,
    Citation,
    Claim,
    ClaimRank,
    ClaimStatus,
    Feature,
    Framework,
    Source,
)
from tests.factories import make_framework

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_synthetic", *args, stdout=out)
    return out.getvalue()


def content_counts():
    return tuple(
        model.objects.count() for model in (Framework, Category, Feature, Source, Claim, Citation)
    )


def test_seeds_frameworks_by_features_with_cited_claims_and_a_progress_bar():
    output = seed("--frameworks", "10", "--features", "40", "--categories", "4")

    assert Framework.objects.count() == 10
    assert Feature.objects.count() == 40
    assert Category.objects.count() == 4
    assert "100%" in output and "[" in output and "Seeded 10 frameworks" in output
    cells_with_claim = Claim.objects.values("framework", "feature").distinct().count()
    assert 0.85 * 400 < cells_with_claim <= 400
    # Every claim cites two different sources (a database constraint keeps them distinct).
    per_claim = Counter(Citation.objects.values_list("claim_id", flat=True))
    assert set(per_claim.values()) == {2}
    assert len(per_claim) == Claim.objects.count()


def test_content_is_marked_synthetic_so_the_refusal_check_is_exact():
    seed("--frameworks", "3", "--features", "10")

    for model in (Framework, Feature, Category):
        assert not model.objects.exclude(slug__startswith="syn-").exists()
    assert not Source.objects.exclude(publisher=synthetic.SYNTHETIC_PUBLISHER).exists()
    assert synthetic.non_synthetic_content() == []


def test_some_cells_disagree_and_some_claims_are_drafts():
    seed("--frameworks", "10", "--features", "60")

    published = Claim.objects.filter(status=ClaimStatus.PUBLISHED)
    assert Claim.objects.filter(status=ClaimStatus.DRAFT).exists()
    assert published.filter(rank=ClaimRank.NORMAL).exists()  # the disagreeing second claims
    disagreeing = [
        (framework, feature)
        for framework, feature in published.filter(rank=ClaimRank.NORMAL).values_list(
            "framework", "feature"
        )
    ]
    framework, feature = disagreeing[0]
    supports = set(
        published.filter(framework=framework, feature=feature).values_list("support", flat=True)
    )
    assert len(supports) == 2
    preferred = Counter(
        published.filter(rank=ClaimRank.PREFERRED).values_list("framework", "feature")
    )
    assert set(preferred.values()) == {1}


def test_notes_are_rendered_markdown_although_bulk_create_skips_the_receiver():
    seed("--frameworks", "4", "--features", "40")

    noted = Claim.objects.exclude(note="")
    assert noted.exists()
    for note, note_html in noted.values_list("note", "note_html")[:50]:
        assert note_html == render_markdown(note) != ""


def test_refuses_a_database_with_real_content_and_changes_nothing():
    make_framework(name="Django", slug="django")
    before = content_counts()

    with pytest.raises(CommandError, match="non-synthetic content \\(frameworks\\)"):
        seed("--frameworks", "2", "--features", "5")

    assert content_counts() == before


def test_force_adds_synthetic_content_beside_real_content_and_keeps_it():
    real = make_framework(name="Django", slug="django")

    seed("--frameworks", "2", "--features", "5", "--force")

    assert Framework.objects.filter(pk=real.pk).exists()
    assert Framework.objects.filter(slug__startswith="syn-").count() == 2


def test_seeding_again_replaces_the_synthetic_content_instead_of_adding_to_it():
    seed("--frameworks", "3", "--features", "12")
    first = content_counts()

    seed("--frameworks", "3", "--features", "12")

    assert content_counts() == first


@pytest.mark.parametrize(
    "args",
    [
        ("--frameworks", "0", "--features", "5"),
        ("--frameworks", "2", "--features", "5", "--categories", "6"),
        ("--frameworks", "2", "--features", "5", "--citations-per-claim", "-1"),
    ],
)
def test_bad_sizes_are_refused_with_a_clear_message(args):
    with pytest.raises(CommandError, match="must be|cannot be"):
        seed(*args)
    assert content_counts() == (0, 0, 0, 0, 0, 0)
