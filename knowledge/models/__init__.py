"""The knowledge base: frameworks, features, sources, and claims that cite them.

A claim says how one framework supports one feature (a *cell* of a comparison matrix). A cell
may hold several claims, because sources disagree or a claim was superseded; each claim
carries its citations, each a quote from a source.

One module per concern; everything is importable from `knowledge.models`, where Django finds
the models of this app.
"""

# The verification records live in their own module (knowledge/verification/models.py); they
# are imported here, last, so that Django finds them as models of this app.
from ..verification.models import (  # noqa: E402, I001
    CitationVerification,
    SourceArchive,
    SourceFetch,
    VerificationChange,
    VerificationStatus,
)
from .base import QUOTE_MAX_LENGTH, SlugManager, TaggedItemManager, TimeStampedModel
from .catalogue import Category, Feature, FeatureValue, Framework, TaggedFeature, TaggedFramework
from .choices import (
    SUPPORT_WITH_VALUE,
    ClaimRank,
    ClaimStatus,
    FeatureKind,
    Provenance,
    SourceKind,
    SupportLevel,
)
from .citations import Citation
from .claims import (
    Claim,
    claim_name,
    claim_verdict,
    claims_disagree,
    claims_in_cell_order,
    published_claim,
)
from .releases import Release, latest_release, releases_supported, version_key
from .slugs import FormerSlug
from .sources import Source

__all__ = [
    "QUOTE_MAX_LENGTH",
    "SUPPORT_WITH_VALUE",
    "Category",
    "Citation",
    "CitationVerification",
    "Claim",
    "ClaimRank",
    "ClaimStatus",
    "Feature",
    "FeatureKind",
    "FeatureValue",
    "FormerSlug",
    "Framework",
    "Provenance",
    "Release",
    "SlugManager",
    "Source",
    "SourceArchive",
    "SourceFetch",
    "SourceKind",
    "SupportLevel",
    "TaggedFeature",
    "TaggedFramework",
    "TaggedItemManager",
    "TimeStampedModel",
    "VerificationChange",
    "VerificationStatus",
    "claim_name",
    "claim_verdict",
    "claims_disagree",
    "claims_in_cell_order",
    "latest_release",
    "published_claim",
    "releases_supported",
    "version_key",
]
