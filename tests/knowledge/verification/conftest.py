"""A local web server for the verification tests: the tests never reach the internet."""

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response


@pytest.fixture
def verify_settings(settings):
    settings.CITEGRID_VERIFY_ALLOW_LOOPBACK = True
    settings.CITEGRID_VERIFY_HOST_DELAY = 0
    settings.CITEGRID_VERIFY_CONNECT_TIMEOUT = 1
    settings.CITEGRID_VERIFY_TOTAL_TIMEOUT = 1
    settings.CITEGRID_VERIFY_MAX_BYTES = 64 * 1024
    return settings


class Site:
    """The pages the server answers with; robots.txt is absent (404) unless set."""

    def __init__(self, server):
        self.server = server
        self.robots = None
        self.clear()

    def clear(self):
        """Forget every page (the server's log too), keeping robots.txt."""
        self.server.clear()
        self.server.expect_request("/robots.txt").respond_with_handler(self._robots)

    def _robots(self, request):
        if self.robots is None:
            return Response("", status=404)
        return Response(self.robots, content_type="text/plain")

    def url(self, path):
        return self.server.url_for(path)

    def page(self, path, body, *, status=200, content_type="text/html; charset=utf-8", **kw):
        self.server.expect_request(path).respond_with_data(
            body, status=status, content_type=content_type, **kw
        )
        return self.url(path)

    def handler(self, path, handler):
        self.server.expect_request(path).respond_with_handler(handler)
        return self.url(path)

    def requested(self, path):
        return [request for request, _ in self.server.log if request.path == path]


@pytest.fixture(scope="module")
def page_server():
    # Threaded, so that a deliberately slow page does not hold up the next test's requests.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def site(page_server, verify_settings):
    return Site(page_server)
