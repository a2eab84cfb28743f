"""The fetcher's guard and limits, on their own."""

import socket

import pytest

from knowledge.verification import fetching
from knowledge.verification.fetching import Fetcher, FetchLimits, FetchRefused, checked_address


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "127.0.0.2",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "240.0.0.1",
        "224.0.0.1",
        "::1",
        "fc00::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "2001:db8::1",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address):
    assert not fetching._address_allowed(address, allow_loopback=False)


def test_allowing_loopback_lets_through_127_0_0_1_and_nothing_else():
    assert fetching._address_allowed("127.0.0.1", allow_loopback=True)
    for address in ("127.0.0.2", "::1", "10.0.0.1", "192.168.0.1"):
        assert not fetching._address_allowed(address, allow_loopback=True)


def test_public_addresses_are_allowed():
    for address in ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"):
        assert fetching._address_allowed(address, allow_loopback=False)


def _resolving_to(*addresses):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return getaddrinfo


def test_the_guard_checks_the_addresses_a_name_resolves_to(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _resolving_to("93.184.215.14", "10.0.0.5"))
    with pytest.raises(FetchRefused, match="private or reserved address \\(10.0.0.5\\)"):
        checked_address("https://innocent.example/", allow_loopback=False)
    monkeypatch.setattr(socket, "getaddrinfo", _resolving_to("93.184.215.14"))
    assert checked_address("https://innocent.example/", allow_loopback=False) == "93.184.215.14"


@pytest.mark.parametrize("url", ["ftp://example.org/file", "file:///etc/passwd", "gopher://x/"])
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchRefused, match="only http and https"):
        checked_address(url, allow_loopback=True)


def test_the_request_goes_to_the_checked_address_with_the_original_host_name():
    url, headers, extensions = fetching._pinned("https://docs.example.org:8443/a?b=1", "1.2.3.4")
    assert url == "https://1.2.3.4:8443/a?b=1"
    assert headers == {"Host": "docs.example.org:8443"}
    assert extensions == {"sni_hostname": "docs.example.org"}
    assert fetching._pinned("http://v6.example/", "2001:4860::1")[0] == "http://[2001:4860::1]/"


def test_a_refused_host_is_never_contacted(monkeypatch):
    limits = FetchLimits(1, 1, 1024, 0, allow_loopback=False)
    fetcher = Fetcher(limits)
    sent = []
    monkeypatch.setattr(fetcher.client, "send", lambda *a, **k: sent.append(a))
    page = fetcher.fetch("http://127.0.0.1:9/robots-and-all")
    assert page.error.startswith("refused:") and sent == []
