"""Print the load test's URL mix, one path per line, from the database DATABASE_URL names.

Weights (by number of lines): matrix pages 20 %, head-to-head compare 20 %, detail pages 35 %,
search 15 %, exports 10 %. Run by loadtest/run.sh after seeding.
"""

import os
import random
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from comparisons.models import Comparison  # noqa: E402
from knowledge.models import Category, Claim, Feature, Framework, Source  # noqa: E402

LINES = 400


def mix(rng: random.Random) -> list[str]:
    frameworks = list(Framework.objects.values_list("slug", flat=True))
    features = list(Feature.objects.values_list("slug", flat=True))
    categories = list(Category.objects.values_list("slug", flat=True))
    claims = list(Claim.objects.published().values_list("pk", flat=True))
    sources = list(Source.objects.values_list("pk", flat=True))
    comparisons = list(Comparison.objects.values_list("slug", flat=True))
    words = ["orm", "async", "templates", "routing", "admin", "migrations", "sessions", "cache"]

    def filtered_matrix():
        chosen = rng.sample(frameworks, min(5, len(frameworks)))
        query = [("framework", slug) for slug in chosen] + [("category", rng.choice(categories))]
        return "/matrix/?" + urlencode(query)

    def compare():
        return "/compare/" + "-vs-".join(rng.sample(frameworks, 2)) + "/"

    kinds = [
        (8, lambda: "/matrix/"),
        (12, filtered_matrix),
        (18, compare),
        (2, lambda: f"/comparisons/{rng.choice(comparisons)}/" if comparisons else compare()),
        (9, lambda: f"/frameworks/{rng.choice(frameworks)}/"),
        (9, lambda: f"/features/{rng.choice(features)}/"),
        (9, lambda: f"/claims/{rng.choice(claims)}/"),
        (6, lambda: f"/sources/{rng.choice(sources)}/"),
        (2, lambda: f"/categories/{rng.choice(categories)}/"),
        (15, lambda: "/search/?" + urlencode({"q": rng.choice(words)})),
        (5, lambda: filtered_matrix().replace("/matrix/?", "/matrix/export.csv?")),
        (5, lambda: filtered_matrix().replace("/matrix/?", "/matrix/export.json?")),
    ]
    lines = []
    for weight, make in kinds:
        lines += [make() for _ in range(LINES * weight // 100)]
    rng.shuffle(lines)
    return lines


if __name__ == "__main__":
    print("\n".join(mix(random.Random(1))))
