# Four-eyes review and the verification history were built side by side on 0006.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0007_claim_review"),
        ("knowledge", "0007_verification_history"),
    ]

    operations = []
