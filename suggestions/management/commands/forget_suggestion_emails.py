"""Erase readers' e-mails once the retention rule no longer lets the site keep them."""

from django.conf import settings
from django.core.management.base import BaseCommand

from suggestions.services import suggestion_emails_forget


class Command(BaseCommand):
    help = (
        "Erase the e-mail of every suggestion decided more than SUGGESTION_EMAIL_DAYS days "
        f"ago (now {settings.SUGGESTION_EMAIL_DAYS}); a suggestion still waiting keeps its "
        "e-mail. Run it daily (cron or a systemd timer); running it again erases nothing more."
    )

    def handle(self, *args, **options):
        erased = suggestion_emails_forget()
        self.stdout.write(
            f"Erased {erased} reader e-mail(s) of suggestions decided more than "
            f"{settings.SUGGESTION_EMAIL_DAYS} days ago."
        )
