"""Checking that every quoted passage is still on its source page (`manage.py verifykb`).

fetching.py brings a page safely (SSRF guard, robots.txt, limits, per-host politeness);
extraction.py turns its bytes into text; matching.py finds a quote in that text; run.py checks
sources one by one under a lock and records the results in the models of models.py.
"""
