"""Report data-quality problems of the knowledge base; the checks are in knowledge/quality.py."""

import json

from django.core.management.base import BaseCommand, CommandError

from knowledge import quality


class Command(BaseCommand):
    help = (
        "Check the knowledge base and list each problem with the admin page that fixes it. "
        "ERRORS (exit status 1): a published claim without a citation; a published claim "
        "whose citations verifykb all found no longer on their sources (not_found); a cell whose "
        "published, non-deprecated claims say different things (support levels, or values of "
        "a descriptor or assessment) with none of them preferred. WARNINGS (exit status 0 "
        "when there are only warnings): such a disagreement when one claim is preferred "
        "(the cell shows it first and the others beside it, which is allowed); a citation "
        "without a quote; a source never accessed "
        "or last accessed more than CITEGRID_SOURCE_STALE_DAYS days ago; sources that look "
        "like one (the same URL up to scheme, “www.”, trailing slash and case, or the same "
        "title and publisher); a documentation URL not pinned to a version (/stable/, /latest/, "
        "/dev/); a capability or descriptor cell whose published claims cite only sources "
        "without a URL (articles a reader cannot check); a citation whose quote no verifykb "
        "check has found in the last "
        "CITEGRID_VERIFY_STALE_DAYS days (never checked, or not verified or reworded since)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help='"json" prints {"errors": [...], "warnings": [...]}, each item with check, '
            "message, object and admin_url.",
        )

    def handle(self, *args, **options):
        findings = quality.run_checks()
        errors = [f for f in findings if f.severity == quality.ERROR]
        warnings = [f for f in findings if f.severity == quality.WARNING]
        if options["format"] == "json":
            report = {
                "errors": [f.as_dict() for f in errors],
                "warnings": [f.as_dict() for f in warnings],
            }
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            self._write_text("ERRORS", errors, self.style.ERROR)
            self._write_text("WARNINGS", warnings, self.style.WARNING)
            self.stdout.write(f"{len(errors)} error(s), {len(warnings)} warning(s).")
        if errors:
            raise CommandError(
                f"The knowledge base has {len(errors)} error(s); see the list above.",
                returncode=1,
            )

    def _write_text(self, heading, findings, style):
        if not findings:
            return
        self.stdout.write(style(f"{heading} ({len(findings)})"))
        for finding in findings:
            self.stdout.write(f"  [{finding.check}] {finding.message}")
            self.stdout.write(f"      {finding.admin_url}")
        self.stdout.write("")
