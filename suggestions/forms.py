"""The readers' correction form, and the curators' decision on the admin's suggestion page."""

from django import forms
from django.core.exceptions import ValidationError

from knowledge.models import QUOTE_MAX_LENGTH, SupportLevel
from knowledge.validators import http_url_validator

from .models import (
    EMAIL_MAX_LENGTH,
    PROBLEM_MAX_LENGTH,
    REASON_MAX_LENGTH,
    URL_MAX_LENGTH,
    Suggestion,
    SuggestionStatus,
)
from .services import draft_claim_errors

# The name of the field people never see (hidden by the stylesheet) and bots fill in.
HONEYPOT = "website"


class WebURLField(forms.URLField):
    # Django's URLField also takes ftp:// addresses; a source is a web page. One validator
    # and its message for whatever is refused, so the reader is told what is wanted.
    default_validators = [http_url_validator]
    default_error_messages = {"invalid": http_url_validator.message}


class SuggestionForm(forms.ModelForm):
    """What a reader says is wrong about one cell. The suggested answer's choices follow the
    feature's kind: support levels for a capability, else the feature's own values (or
    “Unknown”), so no answer a claim could not carry can be sent."""

    problem = forms.CharField(
        label="What is wrong",
        max_length=PROBLEM_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the page says, and what the source says instead.",
    )
    suggested = forms.ChoiceField(label="What it should say")
    source_url = WebURLField(
        label="Source URL",
        max_length=URL_MAX_LENGTH,
        assume_scheme="https",
        help_text="A page that says so: the framework's documentation, preferably for a "
        "stated version. It must start with http:// or https://.",
    )
    quote = forms.CharField(
        label="Quote",
        max_length=QUOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"The passage of that page, word for word, at most {QUOTE_MAX_LENGTH} "
        "characters.",
    )
    email = forms.EmailField(
        label="Your e-mail (optional)",
        required=False,
        max_length=EMAIL_MAX_LENGTH,
        help_text="Only if a curator may ask you about it. It is never shown on the site.",
    )
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Suggestion
        fields = ["problem", "source_url", "quote", "email"]

    def __init__(self, *args, framework, feature, claim=None, **kwargs):
        super().__init__(*args, instance=Suggestion(framework=framework, feature=feature), **kwargs)
        self.instance.claim = claim
        self.feature = feature
        if feature.has_values:
            self.values = {str(value.pk): value for value in feature.values.all()}
            choices = [(pk, value.label) for pk, value in self.values.items()]
            choices.append((SupportLevel.UNKNOWN, SupportLevel.UNKNOWN.label))
        else:
            self.values = {}
            choices = SupportLevel.choices
        self.fields["suggested"].choices = [("", "Choose…"), *choices]

    def clean_suggested(self):
        suggested = self.cleaned_data["suggested"]
        if suggested in self.values:
            self.instance.support, self.instance.feature_value = "", self.values[suggested]
        else:
            self.instance.support, self.instance.feature_value = suggested, None
        return suggested

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())


class DecisionForm(forms.ModelForm):
    """A curator's decision on a new suggestion: accept it (a draft claim is made) or reject
    it, saying why. What the reader sent is shown read-only beside it."""

    ACCEPT, REJECT = "accept", "reject"

    decision = forms.ChoiceField(
        choices=[("", "Not yet"), (ACCEPT, "Accept: make a draft claim"), (REJECT, "Reject")],
        required=False,
        help_text="Accepting makes a draft claim with the source and quote as its citation; "
        "it is published only through the usual review. Rejecting needs a reason.",
    )
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why it is rejected (required to reject), or a note on accepting it. "
        "Curators only.",
    )

    class Meta:
        model = Suggestion
        fields = []

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        reason = cleaned.get("reason", "").strip()
        if decision == self.REJECT and not reason:
            self.add_error("reason", "Say why the suggestion is rejected.")
        if not decision and reason:
            # "Not yet" stores nothing, so a reason typed with it would be lost unseen.
            self.add_error(
                "reason",
                "A reason is kept only with a decision: choose Accept or Reject, or clear "
                "the reason to leave the suggestion undecided.",
            )
        if decision and self.instance.status != SuggestionStatus.NEW:
            raise ValidationError("This suggestion was decided already.")
        if decision == self.ACCEPT:
            # The claim it would make must be valid now (the feature's kind or values may
            # have changed since the reader wrote); the service checks again when it saves.
            for message in draft_claim_errors(self.instance):
                self.add_error("decision", message)
        return cleaned
