"""The curators' admin for the knowledge base.

Rules live in knowledge/services.py; the admin only asks them and says what they answered.
Every changelist selects or annotates what its columns show, so a page runs the same handful
of queries however many rows the table holds (tests/knowledge/test_admin_queries.py).
"""

from . import catalogue, citations, claims, sources  # noqa: F401  (each registers its admins)
