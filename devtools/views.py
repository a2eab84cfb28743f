"""The trivial page the benchmark's warm figure is measured against."""

from django.http import HttpResponse

HELLO_BODY = b"<!doctype html><title>hello</title><p>Hello.</p>"


def hello(request):
    return HttpResponse(HELLO_BODY)
