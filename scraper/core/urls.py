"""URL canonicalisation: one article, one URL, whatever tracking parameters or fragments point at it."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the content.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|_hsenc|_hsmi|"
    r"mkt_tok|oly_anon_id|oly_enc_id|vero_id|ref_src|ref_url|cmpid|ocid|soc_src|soc_trk|share|smid|"
    r"at_medium|at_campaign|ns_source|ns_mchannel|ns_campaign|ito|cid|sr_share|taid)$",
    re.IGNORECASE,
)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters, "/" for an empty
    path. Other query parameters keep their order (some sites depend on it)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def url_problem(url: object) -> str | None:
    """Why ``url`` is not a well-formed absolute http(s) URL ("Port out of range 0-65535", "Invalid IPv6
    URL", "no host", …), or None when it is one. Nothing that passes makes urlsplit, ``.port`` or a Scrapy
    Request raise."""
    if not isinstance(url, str) or not url.strip():
        return "empty URL"
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises for a port out of range or not a number
    except ValueError as exc:
        return str(exc) or "cannot be parsed"
    if parts.scheme.lower() not in ("http", "https"):
        return f"not an http(s) URL (scheme {parts.scheme!r})" if parts.scheme else "not an absolute URL"
    host = parts.hostname or ""
    if not host:
        return "no host"
    if any(c.isspace() or ord(c) < 32 or c in '<>"{}|\\^`' for c in host):
        return "the host has spaces or characters not allowed in a host name"
    return None


def is_http_url(url: object) -> bool:
    """A well-formed absolute http(s) URL (see url_problem)."""
    return url_problem(url) is None


def absolute_http_url(href: str, base: str | None) -> str | None:
    """``href`` resolved against ``base``, when that gives a well-formed http(s) URL; None otherwise (a
    careless or hostile value such as "http://[::1/x", or a javascript: link)."""
    try:
        found = urljoin(base or "", href)
    except ValueError:
        return None
    return found if is_http_url(found) else None


def hostname_of(url: str | None) -> str | None:
    """The URL's host, lower-cased; None when there is none or the URL cannot be parsed."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _host_of(url: str) -> str:
    """The host for comparing sites: hostname_of, without a trailing dot, "" when there is none."""
    return (hostname_of(url) or "").rstrip(".")


def same_site(url: str, host: str) -> bool:
    """True when ``url`` is on ``host`` or one of its subdomains (www. ignored on both sides)."""
    other = _host_of(url).removeprefix("www.")
    host = host.lower().removeprefix("www.")
    return bool(other) and (other == host or other.endswith("." + host))


def same_site_urls(a: str, b: str) -> bool:
    """Whether two URLs are on one site, for trusting a page's rel=canonical (docs/crawling.md#keys).

    The rule, without a public-suffix list: the hosts are equal once a leading "www." is dropped, or one is
    a subdomain of the other and has at least two labels (m.example.com and www.example.com: yes;
    alice.example.io and bob.example.io, which shared hosts give to different owners: no; a bare "com":
    no). An IP address matches only itself. Scheme and port are not compared, so two loopback servers on
    different ports are one site, and 127.0.0.1 and localhost are two."""
    one, two = _host_of(a).removeprefix("www."), _host_of(b).removeprefix("www.")
    if not one or not two:
        return False
    if one == two:
        return True
    shorter, longer = sorted((one, two), key=len)
    return "." in shorter and longer.endswith("." + shorter) and not _is_address(shorter)


def _is_address(host: str) -> bool:
    return ":" in host or host.replace(".", "").isdigit()


def is_site_root(url: str) -> bool:
    """A site's home page: the root path with no query (what every page of a careless site may name as its
    canonical)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.path in ("", "/") and not parts.query
