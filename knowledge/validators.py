from django.core.validators import URLValidator

# Only web links: a `javascript:` or `data:` URL stored on a source would run in a reader's
# browser the moment it is rendered as a link.
http_url_validator = URLValidator(
    schemes=["http", "https"],
    message="Enter a web address that starts with http:// or https://.",
)
