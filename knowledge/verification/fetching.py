"""Fetching a source page without letting it harm us or the host that serves it.

Every hop of a fetch (the first request and each redirect) goes through the same guard: http or
https only, the host resolved here and every address it resolves to refused unless it is a
public one (no private, loopback, link-local, reserved or multicast range), and the request then
sent to the address that was checked, so a DNS answer cannot change between check and connect.
robots.txt is honoured (RFC 9309), at most two requests run at once per host with a polite
delay between their starts, and the body is read as a stream up to a limit, inflated by us with
a bound, so neither an endless body nor a gzip bomb can fill the memory. The total timeout
covers the whole fetch, every redirect and a body sent drop by drop included, but not the wait
for the host's turn.

`CITEGRID_VERIFY_ALLOW_LOOPBACK` (tests only) lets 127.0.0.1, and no other private address,
through the guard, so the tests can serve pages from a local server.
"""

import functools
import hashlib
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import certifi
import httpx
from django.conf import settings

USER_AGENT = "citegrid-verifier/1.0 (checks that quoted passages are still on their pages)"
ROBOTS_AGENT = "citegrid-verifier"
MAX_REDIRECTS = 10
ROBOTS_MAX_BYTES = 512 * 1024
# Refusing the bytes a quote check cannot use (images, archives) before reading them.
ACCEPT = "text/html, application/xhtml+xml, text/plain;q=0.9, application/pdf;q=0.5, */*;q=0.1"


class FetchRefused(Exception):
    """The guard will not fetch this URL; the message says why, for a curator."""


class RobotsUnreadable(Exception):
    """The host's robots.txt could not be read, so the page is not fetched either."""


@dataclass
class Page:
    """What one fetch brought back: a body (perhaps cut off) or an error."""

    url: str
    final_url: str = ""
    status: int | None = None
    content_type: str = ""
    charset: str = ""
    body: bytes = b""
    truncated: bool = False
    error: str = ""
    redirects: list = field(default_factory=list)
    # Set when robots.txt forbids the page: not a failure of the page, a refusal of ours.
    disallowed: bool = False

    @property
    def ok(self):
        return not self.error and self.status is not None and 200 <= self.status < 300

    @property
    def content_hash(self):
        return hashlib.sha256(self.body).hexdigest() if self.body else ""


@dataclass(frozen=True)
class FetchLimits:
    connect_timeout: float
    total_timeout: float
    max_bytes: int
    host_delay: float
    allow_loopback: bool

    @classmethod
    def from_settings(cls):
        return cls(
            connect_timeout=settings.CITEGRID_VERIFY_CONNECT_TIMEOUT,
            total_timeout=settings.CITEGRID_VERIFY_TOTAL_TIMEOUT,
            max_bytes=settings.CITEGRID_VERIFY_MAX_BYTES,
            host_delay=settings.CITEGRID_VERIFY_HOST_DELAY,
            allow_loopback=settings.CITEGRID_VERIFY_ALLOW_LOOPBACK,
        )


def _address_allowed(address: str, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if allow_loopback and ip == ipaddress.IPv4Address("127.0.0.1"):
        return True
    return ip.is_global and not ip.is_multicast


def checked_address(url: str, allow_loopback: bool) -> str:
    """The one address to connect to for `url`, after the guard; raises FetchRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"only http and https links are fetched, not {parts.scheme or '—'}:")
    host = parts.hostname
    if not host:
        raise FetchRefused("the link has no host")
    try:
        infos = socket.getaddrinfo(host, parts.port or 80, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchRefused(f"the host {host} does not resolve ({error})") from None
    addresses = sorted({info[4][0] for info in infos})
    refused = [a for a in addresses if not _address_allowed(a, allow_loopback)]
    if refused or not addresses:
        # One private answer among public ones is refused too: which one a client would use
        # is up to it, so all of them must be safe.
        raise FetchRefused(f"{host} resolves to a private or reserved address ({refused[0]})")
    return addresses[0]


def _pinned(url: str, address: str) -> tuple[str, dict, dict]:
    """The URL aimed at the checked address, with the Host header and TLS name it needs."""
    parts = urlsplit(url)
    host = parts.hostname
    netloc_ip = f"[{address}]" if ":" in address else address
    if parts.port:
        netloc_ip += f":{parts.port}"
    pinned = urlunsplit((parts.scheme, netloc_ip, parts.path or "/", parts.query, ""))
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    return pinned, {"Host": host_header}, {"sni_hostname": host}


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle is most of the cost of a client; one context serves every run.
    return ssl.create_default_context(cafile=certifi.where())


class HostGate:
    """At most `per_host` requests at a time per host, their starts `delay` seconds apart."""

    def __init__(self, delay: float, per_host: int = 2):
        self.delay = delay
        self.per_host = per_host
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    def enter(self, host: str) -> threading.Semaphore:
        with self._lock:
            slot = self._slots.setdefault(host, threading.Semaphore(self.per_host))
        slot.acquire()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + self.delay
        if start > now:
            time.sleep(start - now)
        return slot


class Budget:
    """The seconds a fetch may still spend on the network, every redirect included (the
    total timeout). Waiting for the host's turn at the HostGate is not spent: politeness
    must not time a page out, however many pages of one host are queued."""

    def __init__(self, seconds: float):
        self.left = seconds

    def timeout(self, connect: float) -> httpx.Timeout:
        """The timeouts of the next request: none longer than what is left."""
        if self.left <= 0:
            raise httpx.ReadTimeout("the whole page took too long")
        return httpx.Timeout(self.left, connect=min(connect, self.left))


def _inflater(encoding: str):
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise ValueError(f"content encoded as {encoding!r}, which is not read")


class Fetcher:
    """Fetches pages under the guard; one instance is shared by the threads of a run."""

    def __init__(self, limits: FetchLimits | None = None):
        self.limits = limits or FetchLimits.from_settings()
        self.gate = HostGate(self.limits.host_delay)
        self._robots: dict[str, RobotFileParser | str] = {}
        self._robots_lock = threading.Lock()
        # One lock per origin, so that workers starting on one host together read its
        # robots.txt once between them instead of once each.
        self._origin_locks: dict[str, threading.Lock] = {}
        self.client = httpx.Client(
            verify=_tls_context(),
            follow_redirects=False,
            timeout=httpx.Timeout(self.limits.total_timeout, connect=self.limits.connect_timeout),
            headers={
                "User-Agent": USER_AGENT,
                "Accept": ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
            # The pinned address must be used as given: no proxy from the environment.
            trust_env=False,
        )

    def close(self):
        self.client.close()

    def fetch(self, url: str) -> Page:
        page = Page(url=url)
        try:
            self._follow(url, page, self.limits.max_bytes, obey_robots=True)
        except FetchRefused as refusal:
            page.error = f"refused: {refusal}"
        except RobotsUnreadable as why:
            page.error = str(why)
        except httpx.TimeoutException:
            page.error = "timed out"
        except (httpx.HTTPError, ValueError, zlib.error, OSError) as error:
            page.error = f"{type(error).__name__}: {error}"[:300]
        return page

    def _follow(self, url: str, page: Page, max_bytes: int, *, obey_robots: bool) -> None:
        """Request `url` and every redirect from it; with `obey_robots`, each hop's own host's
        robots.txt is asked first (a redirect may lead to a path or a host that forbids us)."""
        seen = set()
        current = url
        budget = Budget(self.limits.total_timeout)
        for _ in range(MAX_REDIRECTS + 1):
            if current in seen:
                raise ValueError("the redirects go round in a loop")
            seen.add(current)
            if obey_robots and not self.robots_allow(current):
                page.disallowed = True
                page.error = "robots.txt asks robots not to fetch this page"
                return
            status, location = self._request(current, page, max_bytes, budget)
            if location is None:
                page.final_url = current
                page.status = status
                return
            target = urljoin(current, location)
            page.redirects.append([status, target])
            current = target
        raise ValueError(f"more than {MAX_REDIRECTS} redirects")

    def _request(self, url, page, max_bytes, budget: Budget):
        resolving = time.monotonic()
        address = checked_address(url, self.limits.allow_loopback)
        budget.left -= time.monotonic() - resolving
        pinned, headers, extensions = _pinned(url, address)
        host = urlsplit(url).hostname
        slot = self.gate.enter(host)
        started = time.monotonic()
        try:
            request = self.client.build_request(
                "GET",
                pinned,
                headers=headers,
                extensions=extensions,
                timeout=budget.timeout(self.limits.connect_timeout),
            )
            deadline = started + budget.left
            response = self.client.send(request, stream=True)
            try:
                if response.is_redirect and "location" in response.headers:
                    return response.status_code, response.headers["location"]
                page.content_type = response.headers.get("content-type", "")
                page.charset = response.charset_encoding or ""
                if response.is_success:
                    self._read_body(response, page, max_bytes, deadline)
                else:
                    page.error = f"HTTP {response.status_code}"
                return response.status_code, None
            finally:
                response.close()
        finally:
            budget.left -= time.monotonic() - started
            slot.release()

    @staticmethod
    def _read_body(response, page, max_bytes, deadline):
        inflater = _inflater(response.headers.get("content-encoding", ""))
        chunks, size = [], 0
        for raw in response.iter_raw():
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("the whole page took too long")
            pending = raw
            while pending:
                if inflater is None:
                    data, pending = pending, b""
                else:
                    # Inflate no more than the limit allows: a bomb stops at max_bytes + 1.
                    data = inflater.decompress(pending, max_bytes - size + 1)
                    pending = inflater.unconsumed_tail
                chunks.append(data)
                size += len(data)
                if size > max_bytes:
                    page.body = b"".join(chunks)[:max_bytes]
                    page.truncated = True
                    return
        page.body = b"".join(chunks)

    def robots_allow(self, url: str) -> bool:
        """Whether robots.txt lets us fetch `url`; raises RobotsUnreadable if unreadable."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            origin_lock = self._origin_locks.setdefault(origin, threading.Lock())
        with origin_lock:
            rules = self._robots.get(origin)
            if rules is None:
                rules = self._robots[origin] = self._robots_for(origin)
        if isinstance(rules, str):
            raise RobotsUnreadable(rules)
        return rules.can_fetch(ROBOTS_AGENT, url)

    def _robots_for(self, origin: str) -> RobotFileParser | str:
        """The host's rules, or why they could not be read (RFC 9309 § 2.3.1)."""
        page = Page(url=origin + "/robots.txt")
        try:
            self._follow(page.url, page, ROBOTS_MAX_BYTES, obey_robots=False)
        except FetchRefused as refusal:
            return f"refused: {refusal}"
        except httpx.TimeoutException:
            return "robots.txt timed out"
        except (httpx.HTTPError, ValueError, zlib.error, OSError) as error:
            return f"robots.txt could not be read ({type(error).__name__}: {error})"[:300]
        parser = RobotFileParser()
        if page.ok:
            parser.parse(page.body.decode("utf-8", "replace").splitlines())
        elif 400 <= page.status < 500:
            parser.allow_all = True  # "unavailable": no rules apply
        else:
            # "unreachable" (a server error): the RFC asks to assume everything disallowed,
            # which for us means the page cannot be read now.
            return f"robots.txt answered HTTP {page.status}"
        return parser
