"""The controlled words of the knowledge base: kinds of feature and of source, support levels,
a claim's status and rank, a citation's provenance."""

from django.db import models


class FeatureKind(models.TextChoices):
    CAPABILITY = "capability", "Capability (a support level)"
    DESCRIPTOR = "descriptor", "Descriptor (one value of the feature's vocabulary)"
    ASSESSMENT = "assessment", "Assessment (a position on the feature's ordered scale)"


class SupportLevel(models.TextChoices):
    YES = "yes", "Built in"
    PARTIAL = "partial", "Partial"
    EXTENSION = "extension", "Via extension"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"
    NOT_APPLICABLE = "n/a", "Not applicable"


# The support levels a claim on a descriptor or assessment feature may carry: none (it picks a
# value instead), or "unknown" for a placeholder of a cell with no source yet.
SUPPORT_WITH_VALUE = ""


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class ClaimRank(models.TextChoices):
    PREFERRED = "preferred", "Preferred"
    NORMAL = "normal", "Normal"
    DEPRECATED = "deprecated", "Deprecated"


class SourceKind(models.TextChoices):
    DOCUMENTATION = "documentation", "Official documentation"
    ARTICLE = "article", "Article"
    SURVEY = "survey", "Survey"
    BENCHMARK = "benchmark", "Benchmark"
    BOOK = "book", "Book"
    PAPER = "paper", "Paper"
    REPOSITORY = "repository", "Repository"
    OTHER = "other", "Other"


class Provenance(models.TextChoices):
    FIRST_PARTY = "first-party", "First-party (the framework's own documentation or maintainers)"
    INDEPENDENT = "independent", "Independent"
