"""Run by test_production.py in a subprocess with production environment variables: set up a
throwaway database and static files, send real requests through the whole middleware stack,
and print what came back as JSON. Not a test module (pytest collects test_*.py only)."""

import json
import sys

import django


def main(static_root):
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    # The deployment runs collectstatic into STATIC_ROOT; here into a temporary directory,
    # with the production storage (hashed, compressed names) that the templates then use.
    with override_settings(STATIC_ROOT=static_root):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        get_user_model().objects.create_superuser("admin", "a@example.org", "prod-probe-pass-1")
        host = {"HTTP_HOST": "citegrid.example"}
        client = Client(raise_request_exception=False)
        results = {"plain_http": _describe(client.get("/", **host))}
        for name, path in [("home", "/"), ("login", "/admin/login/"), ("missing", "/nope/")]:
            results[name] = _describe(client.get(path, secure=True, **host))
        login = client.get("/admin/login/", secure=True, **host)
        token = login.cookies["csrftoken"].value
        results["logged_in"] = _describe(
            client.post(
                "/admin/login/",
                {"username": "admin", "password": "prod-probe-pass-1", "next": "/admin/"},
                secure=True,
                HTTP_REFERER="https://citegrid.example/admin/login/",
                HTTP_X_CSRFTOKEN=token,
                **host,
            )
        )
        from django.conf import settings

        results["settings"] = {
            "DEBUG": settings.DEBUG,
            "STORAGE": settings.STORAGES["staticfiles"]["BACKEND"],
        }
    print(json.dumps(results))


def _describe(response):
    return {
        "status": response.status_code,
        "location": response.get("Location", ""),
        "headers": {k.lower(): v for k, v in response.headers.items()},
        "cookies": {
            name: {
                "secure": bool(morsel["secure"]),
                "httponly": bool(morsel["httponly"]),
                "samesite": morsel["samesite"],
            }
            for name, morsel in response.cookies.items()
        },
    }


if __name__ == "__main__":
    main(sys.argv[1])
