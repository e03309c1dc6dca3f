"""URL canonicalisation: one article, one URL, whatever tracking parameters or fragments point at it."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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


def same_site(url: str, host: str) -> bool:
    """True when ``url`` is on ``host`` or one of its subdomains (www. ignored on both sides)."""
    other = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    host = host.lower().removeprefix("www.")
    return other == host or other.endswith("." + host)
