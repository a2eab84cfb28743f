from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = "Reader suggestions"
    # Curators see the queue and decide (accept or reject: a change). Adding is the public
    # form's alone; deleting, and seeing a submitter's e-mail, are granted per person.
    curator_permissions = [("suggestion", ["view", "change"])]
