"""The request guard: a crawl does not fetch private, loopback, link-local or cloud-metadata addresses.

A feed, sitemap, page or redirect from the open web can name any URL, among them
``http://169.254.169.254/latest/meta-data/`` (the cloud metadata service) or a service on the crawling
machine's own network. Such a request is refused before any connection is made, unless:

- the crawl was started on that host: a feed, sitemap, site or URL-list URL given to the crawl names the
  same host and port (this is what lets a crawl of ``http://127.0.0.1:8000/`` fetch that site's pages);
- ``PRESSWASH_ALLOW_PRIVATE`` (``allow_private`` in a crawl config) allows it: a network (``10.0.0.0/8``), an
  address (``127.0.0.2``), a host name (``intranet.example``) or a host and port (``intranet.example:8080``);
  ``*`` turns the guard off.

``PrivateAddressGuard`` is a downloader middleware, so every request passes it: start URLs, feed items,
sitemap entries, followed links, robots.txt and each redirect target (Scrapy's RedirectMiddleware makes a
new request that goes through the downloader middlewares again). A host name is resolved with the crawl's
own resolver (Scrapy's caching resolver), so the address checked is the address the download then connects
to. A refused request fails with ``RefusedAddress``, is logged once per host, counted in the
``presswash/requests_refused`` stat and recorded in the store's errors table by the spider's errback.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata services: AWS, GCP, Azure, OpenStack, DigitalOcean… (169.254.169.254), AWS over IPv6
# (fd00:ec2::254), Alibaba Cloud (100.100.100.200), Azure's platform endpoint (168.63.129.16, a public
# address that only answers from inside Azure).
METADATA = frozenset(ipaddress.ip_address(a) for a in
                     ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "168.63.129.16"))
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_COMPAT = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible IPv6 (::127.0.0.1)


class RefusedAddress(IgnoreRequest):
    """A request the guard refused: its host is (or resolves to) a non-public address."""

    presswash_refused = True


def parse_address(host: str) -> IPAddress | None:
    """The address a URL host names literally, the way the crawl's connection would read it: IPv6 (brackets
    and a zone index allowed), dotted IPv4, and the other IPv4 spellings the system resolver accepts
    (``2130706433``, ``0x7f.1``, ``017700000001``, ``127.1``). None for a host name."""
    host = host.strip().strip("[]").rstrip(".")
    if not host:
        return None
    try:
        return ipaddress.ip_address(host.split("%", 1)[0] if ":" in host else host)
    except ValueError:
        pass
    if ":" in host or not all(c in "0123456789abcdefxABCDEFX." for c in host):
        return None
    try:  # inet_aton is what gethostbyname() applies to a numeric name before any DNS query
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and reaches: mapped, IPv4-compatible, NAT64, 6to4."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _COMPAT and int(ip) > 1):  # :: and ::1 are themselves
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def classify(ip: IPAddress) -> str | None:
    """What makes an address off limits ("loopback", "private", "link-local/cloud metadata", …), or None for
    a public address."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        return classify(inner)
    if ip in METADATA:
        return "link-local/cloud metadata" if ip.is_link_local else "cloud metadata"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "shared (carrier-grade NAT)"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "non-public"
    return None


def _article(kind: str) -> str:
    return "an" if kind[:1] in "aeiou" else "a"


def host_key(host: str) -> str:
    """A host as the guard compares it: an address in its standard form, else the lower-case name."""
    ip = parse_address(host)
    return str(ip) if ip is not None else host.strip().strip("[]").lower().rstrip(".")


def url_host_port(url: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return host_key(parts.hostname), port or {"https": 443, "ftp": 21}.get(parts.scheme.lower(), 80)


@dataclass
class Policy:
    """What the guard lets through besides public addresses."""

    allow_all: bool = False
    networks: list[IPNetwork] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # any port
    pairs: set[tuple[str, int]] = field(default_factory=set)  # (host key, port)

    @classmethod
    def from_entries(cls, entries: Iterable[str], start_urls: Iterable[str] = ()) -> Policy:
        policy = cls()
        for entry in entries:
            policy.allow(entry)
        for url in start_urls:
            pair = url_host_port(url)
            if pair:
                policy.pairs.add(pair)
        return policy

    def allow(self, entry: str) -> None:
        """Add an allow-list entry; ValueError names a malformed one."""
        text = str(entry).strip()
        if text == "*":
            self.allow_all = True
            return
        try:
            self.networks.append(ipaddress.ip_network(text.strip("[]"), strict=False))
            return
        except ValueError:
            pass
        host, port = text, None
        if text.startswith("["):  # [::1]:8080
            host, _, rest = text[1:].partition("]")
            port = rest.removeprefix(":") or None
        elif text.count(":") == 1:
            host, port = text.split(":")
        key = host_key(host)
        if (not key or not all(c.isalnum() or c in "-._:" for c in key)
                or (port is not None and not (port.isdigit() and 0 < int(port) < 65536))):
            raise ValueError(f"{entry!r} is not a network, address, host name or host:port")
        if port is None:
            self.names.add(key)
        else:
            self.pairs.add((key, int(port)))

    def allows_host(self, key: str, port: int) -> bool:
        return self.allow_all or key in self.names or (key, port) in self.pairs

    def refusal(self, ip: IPAddress) -> str | None:
        """Why ``ip`` may not be fetched, or None."""
        kind = classify(ip)
        if kind is None or any(ip in net for net in self.networks if net.version == ip.version):
            return None
        inner = embedded_ipv4(ip)
        if inner is not None and any(inner in net for net in self.networks if net.version == 4):
            return None
        return kind


def refusal_reason(host: str, ip: IPAddress, kind: str, port: int | None = None) -> str:
    """``refused: 169.254.169.254 is a link-local/cloud metadata address (…)``, ``refused: 0x7f.1 is
    127.0.0.1, a loopback address (…)``, ``refused: intranet:8080 resolves to 10.0.0.5, a private address
    (…)``. ``port``: the URL's explicit port, if any."""
    host = host.strip("[]")
    label = host if port is None else (f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
    if parse_address(host) is None:
        what = f"{label} resolves to {ip}, "
    else:
        what = f"{label} is " if host.lower() == str(ip) else f"{label} is {ip}, "
    inner = embedded_ipv4(ip)
    if inner is not None:
        what += f"which reaches {inner}, "
    return f"refused: {what}{_article(kind)} {kind} address (set allow_private or PRESSWASH_ALLOW_PRIVATE to allow it)"


class PrivateAddressGuard:
    """Downloader middleware: refuse requests to non-public addresses (see the module docstring)."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.entries = crawler.settings.getlist("PRESSWASH_ALLOW_PRIVATE")
        Policy.from_entries(self.entries)  # a malformed entry stops the crawl before it starts
        self.policy: Policy | None = None
        self.start_names: set[tuple[str, int]] = set()  # start hosts given by name, to resolve once
        self.warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> PrivateAddressGuard:
        guard = cls(crawler)
        crawler.signals.connect(guard.spider_opened, signal=signals.spider_opened)
        return guard

    def spider_opened(self, spider: Any = None) -> None:
        self._policy()

    def _policy(self) -> Policy:
        if self.policy is None:
            spider = self.crawler.spider
            given = spider.given_urls() if hasattr(spider, "given_urls") else getattr(spider, "start_urls", [])
            self.policy = Policy.from_entries(self.entries, given)
            pairs = (url_host_port(url) for url in given)
            self.start_names = {pair for pair in pairs if pair and parse_address(pair[0]) is None}
        return self.policy

    async def _add_start_addresses(self, policy: Policy) -> None:
        """The service a crawl was started on is allowed by its address too (a start on localhost:8000 allows
        links to 127.0.0.1:8000, and the other way round): resolve the start host names once."""
        for name, port in sorted(self.start_names):
            try:
                policy.pairs.add((str(await self._resolve(name)), port))
            except Exception as exc:  # noqa: BLE001 - a start host that does not resolve fails on its own request
                logger.debug("start host %s does not resolve: %s", name, exc)
        self.start_names = set()

    async def process_request(self, request: Request, spider: Any = None) -> None:
        policy = self._policy()
        if policy.allow_all:
            return
        try:
            parts = urlsplit(request.url)
        except ValueError:  # fail closed, with a reason instead of a traceback
            self._refuse(request, request.url, "refused: the URL cannot be parsed")
        if parts.scheme.lower() not in ("http", "https"):
            return
        pair = url_host_port(request.url)
        if pair is None:  # fail closed: Twisted may read a host out of what urlsplit cannot (http://::1:80/)
            self._refuse(request, parts.netloc, "refused: the URL's host or port cannot be read")
        if policy.allows_host(*pair):
            return
        host = parts.hostname
        ip = parse_address(host)
        if ip is None:
            ip = await self._resolve(host)
        if self.start_names:
            await self._add_start_addresses(policy)
        if (str(ip), pair[1]) in policy.pairs:  # the start host and port, named otherwise
            return
        kind = policy.refusal(ip)
        if kind is not None:
            self._refuse(request, pair[0], refusal_reason(host, ip, kind, parts.port))

    def _refuse(self, request: Request, host: str, reason: str) -> NoReturn:
        redirects = request.meta.get("redirect_urls")
        if redirects:
            reason += f"; redirected from {redirects[-1]}"
        self.crawler.stats.inc_value("presswash/requests_refused")
        if host not in self.warned:  # once per host: a hostile feed may list thousands
            self.warned.add(host)
            logger.warning("%s <%s>", reason, request.url)
        raise RefusedAddress(reason)

    async def _resolve(self, host: str) -> IPAddress:
        """The address the download will connect to. The crawl's resolver answers and caches the answer, and
        Scrapy's HTTP/1.1 download handler then connects through the same cache (IPv4 only). A lookup that
        fails fails the request here, as the download would (and it is retried the same way): letting it
        through would let a second lookup answer differently."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor

        return ipaddress.ip_address(await maybe_deferred_to_future(reactor.resolve(host)))
