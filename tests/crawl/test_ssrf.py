"""The request guard (scraper/crawl/ssrf.py): links, feed items, sitemap entries and redirects that lead to private,
loopback, link-local or cloud-metadata addresses are refused before any connection, logged and recorded, unless
the crawl was started on that host or the config allows it.

The crawls are real: a site on 127.0.0.1 (the crawl's start host, so it is allowed) whose feed, robots.txt,
sitemap and redirects point at other addresses, and a second site on 127.0.0.2 that only an allow list lets in.
The loopback targets (localhost, 0x7f.0.0.2, …) would connect if they were not refused, so the servers' logs
prove that refused requests never reached them. 169.254.169.254, 10.1.2.3 and 100.100.100.200 are refused
before any connection too: nothing in this sandbox answers there, and a connection attempt would end in a
timeout or a connection error, not in the guard's reason.
"""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path

import pytest

from scraper.crawl.config import ConfigError, CrawlPlan, load_config
from scraper.crawl.runner import summary
from scraper.crawl.siteserver import SiteServer, _Handler
from scraper.crawl.ssrf import (
    Policy,
    classify,
    embedded_ipv4,
    parse_address,
    refusal_reason,
    url_host_port,
)
from scraper.core.urls import canonical_url

from .conftest import article_page, crawl, errors, presswash, runs, stored_articles

# --- the address classification: pure functions ----------------------------------------------------------


@pytest.mark.parametrize("host, address, kind", [
    ("169.254.169.254", "169.254.169.254", "link-local/cloud metadata"),
    ("100.100.100.200", "100.100.100.200", "cloud metadata"),
    ("fd00:ec2::254", "fd00:ec2::254", "cloud metadata"),
    ("10.1.2.3", "10.1.2.3", "private"),
    ("172.16.5.4", "172.16.5.4", "private"),
    ("192.168.0.1", "192.168.0.1", "private"),
    ("127.0.0.1", "127.0.0.1", "loopback"),
    ("127.255.0.9", "127.255.0.9", "loopback"),
    ("169.254.1.1", "169.254.1.1", "link-local"),
    ("100.64.0.1", "100.64.0.1", "shared (carrier-grade NAT)"),
    ("0.0.0.0", "0.0.0.0", "unspecified"),
    ("224.0.0.251", "224.0.0.251", "multicast"),
    ("240.0.0.1", "240.0.0.1", "reserved"),
    ("192.0.2.10", "192.0.2.10", "private"),  # documentation range: never a real site
    # IPv6, in brackets as in a URL, with a zone index, and IPv4 carried inside IPv6
    ("[::1]", "::1", "loopback"),
    ("::", "::", "unspecified"),
    ("fe80::1%eth0", "fe80::1", "link-local"),
    ("fc00::5", "fc00::5", "private"),
    ("ff02::1", "ff02::1", "multicast"),
    ("::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "link-local/cloud metadata"),
    ("[::ffff:127.0.0.1]", "::ffff:7f00:1", "loopback"),
    ("::127.0.0.1", "::7f00:1", "loopback"),  # IPv4-compatible
    ("64:ff9b::a9fe:a9fe", "64:ff9b::a9fe:a9fe", "link-local/cloud metadata"),  # NAT64
    ("2002:0a01:0203::1", "2002:a01:203::1", "private"),  # 6to4 of 10.1.2.3
    # IPv4 spellings the system resolver (inet_aton) reads as addresses
    ("2130706433", "127.0.0.1", "loopback"),
    ("0x7f.1", "127.0.0.1", "loopback"),
    ("0x7f000001", "127.0.0.1", "loopback"),
    ("017700000001", "127.0.0.1", "loopback"),
    ("127.1", "127.0.0.1", "loopback"),
    ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254", "link-local/cloud metadata"),
    ("2852039166", "169.254.169.254", "link-local/cloud metadata"),
    ("10.1", "10.0.0.1", "private"),
    ("0", "0.0.0.0", "unspecified"),
    ("127.0.0.1.", "127.0.0.1", "loopback"),  # a trailing dot
])
def test_private_addresses_in_any_spelling(host, address, kind):
    ip = parse_address(host)
    assert ip == ipaddress.ip_address(address)
    assert classify(ip) == kind


@pytest.mark.parametrize("host", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8",
                                  "64:ff9b::808:808", "1.1.1.1", "0x08080808"])
def test_public_addresses_pass(host):
    assert classify(parse_address(host)) is None


@pytest.mark.parametrize("host", ["example.com", "localhost", "intranet", "1e100", "deadbeef", "10.1.2.3.4",
                                  "127.0.0.1.example", "xn--bcher-kva.example", ""])
def test_host_names_are_not_addresses(host):
    assert parse_address(host) is None  # names are resolved at crawl time, with the crawl's own resolver


def test_embedded_ipv4():
    assert embedded_ipv4(ipaddress.ip_address("::ffff:10.0.0.1")) == ipaddress.ip_address("10.0.0.1")
    assert embedded_ipv4(ipaddress.ip_address("::1")) is None  # the IPv6 loopback, not 0.0.0.1
    assert embedded_ipv4(ipaddress.ip_address("10.0.0.1")) is None
    assert embedded_ipv4(ipaddress.ip_address("2606:4700::1111")) is None


def test_refusal_reasons_name_the_host_and_the_address():
    ip = parse_address("169.254.169.254")
    assert refusal_reason("169.254.169.254", ip, classify(ip)) == (
        "refused: 169.254.169.254 is a link-local/cloud metadata address "
        "(set allow_private or PRESSWASH_ALLOW_PRIVATE to allow it)")
    assert refusal_reason("0x7f.1", parse_address("0x7f.1"), "loopback").startswith(
        "refused: 0x7f.1 is 127.0.0.1, a loopback address")
    assert refusal_reason("intranet", ipaddress.ip_address("10.0.0.5"), "private").startswith(
        "refused: intranet resolves to 10.0.0.5, a private address")
    assert refusal_reason("localhost", ipaddress.ip_address("127.0.0.1"), "loopback", 6379).startswith(
        "refused: localhost:6379 resolves to 127.0.0.1, a loopback address")
    assert refusal_reason("::1", ipaddress.ip_address("::1"), "loopback", 80).startswith(
        "refused: [::1]:80 is a loopback address")
    mapped = parse_address("::ffff:169.254.169.254")
    assert "which reaches 169.254.169.254, a link-local/cloud metadata address" in refusal_reason(
        "::ffff:169.254.169.254", mapped, classify(mapped))


def test_allow_list_entries_and_start_hosts():
    policy = Policy.from_entries(["10.0.0.0/8", "127.0.0.2", "Intranet.Example.", "wiki.lan:8080", "[::1]:9000"],
                                 ["http://127.0.0.1:8000/feed.xml", "https://news.lan/", "http://0x7f.0.0.3:81/"])
    assert policy.refusal(ipaddress.ip_address("10.9.8.7")) is None
    assert policy.refusal(ipaddress.ip_address("::ffff:10.9.8.7")) is None  # the same address, mapped
    assert policy.refusal(ipaddress.ip_address("127.0.0.2")) is None
    assert policy.refusal(ipaddress.ip_address("127.0.0.3")) == "loopback"
    assert policy.refusal(ipaddress.ip_address("169.254.169.254")) == "link-local/cloud metadata"
    assert policy.refusal(ipaddress.ip_address("8.8.8.8")) is None
    assert policy.allows_host("intranet.example", 1234)  # a name: any port
    assert policy.allows_host("wiki.lan", 8080) and not policy.allows_host("wiki.lan", 80)
    assert policy.allows_host("::1", 9000) and not policy.allows_host("::1", 9001)
    # the hosts the crawl was started on, with their ports; another port of the same host is not allowed
    assert policy.allows_host("127.0.0.1", 8000) and not policy.allows_host("127.0.0.1", 6379)
    assert policy.allows_host("news.lan", 443) and not policy.allows_host("news.lan", 80)
    assert policy.allows_host("127.0.0.3", 81)  # spelt 0x7f.0.0.3 in the start URL
    assert url_host_port("http://2130706433:8000/x") == ("127.0.0.1", 8000)
    assert policy.allows_host(*url_host_port("http://2130706433:8000/x"))  # the start host, spelt otherwise
    assert url_host_port("http://::1:80/") is None  # unreadable: the guard refuses it
    assert Policy.from_entries(["*"]).allow_all
    for bad in ["not a host", "wiki.lan:99999", "http://wiki.lan/", "10.0.0.0/33:1"]:
        with pytest.raises(ValueError, match=r"^'.*' is not a network, address, host name or host:port$"):
            Policy.from_entries([bad])


def test_ipv6_hosts_keep_their_brackets_in_canonical_urls():
    assert canonical_url("http://[::1]:8000/a#x") == "http://[::1]:8000/a"
    assert canonical_url("HTTP://[FD00:EC2::254]/") == "http://[fd00:ec2::254]/"


def test_allow_private_in_the_crawl_config(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text('[crawl]\nallow_private = ["10.0.0.0/8", "intranet.example:8080"]\n'
                      '[[site]]\nname = "x"\nfeeds = ["http://10.1.2.3/feed.xml"]\n', encoding="utf-8")
    plan = load_config(config, CrawlPlan())
    assert plan.settings["PRESSWASH_ALLOW_PRIVATE"] == ["10.0.0.0/8", "intranet.example:8080"]
    config.write_text('[crawl]\nallow_private = ["intranet example"]\n[[site]]\nname = "x"\n'
                      'feeds = ["http://10.1.2.3/feed.xml"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="allow_private: 'intranet example' is not a network"):
        load_config(config, CrawlPlan())
    config.write_text('[crawl]\nallow_private = [1]\n[[site]]\nname = "x"\nfeeds = ["http://a.example/"]\n')
    with pytest.raises(ConfigError, match="allow_private: expected a string or a list of strings"):
        load_config(config, CrawlPlan())
    assert "requests refused: 3" in summary({"presswash/requests_refused": 3})
    # the same from the command line: the crawl does not start
    bad = presswash("crawl", "--store", tmp_path / "bad.db", "--feed", "http://127.0.0.1:9/feed.xml",
                    "-s", "PRESSWASH_ALLOW_PRIVATE=10.0.0.0/8,intranet example")
    assert bad.returncode == 2, bad.stderr
    assert "PRESSWASH_ALLOW_PRIVATE: 'intranet example' is not a network" in bad.stderr
    assert not (tmp_path / "bad.db").exists()


# --- real crawls -----------------------------------------------------------------------------------------

METADATA = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
USER_DATA = "http://169.254.169.254/latest/user-data"  # a redirect target (Scrapy drops repeated URLs)
UNRESOLVABLE = "http://bad..example/2026/11/09/no-such-host.html"  # fails in the resolver, with no DNS query


class _RedirectingHandler(_Handler):
    """The fixture server's handler, plus redirects to other hosts (its _routes.toml redirects stay on site)."""

    def do_GET(self) -> None:
        target = self.server.elsewhere.get(self.path)
        if target is None:
            super().do_GET()
            return
        self.arrived = time.monotonic()
        self._send(302, headers={"Location": target})


def serve_on(folder: Path, address: str, servers: list[SiteServer]) -> tuple[SiteServer, str]:
    """A SiteServer on a loopback address (all of 127/8 is loopback on Linux), redirecting ``server.elsewhere``
    paths to other hosts."""
    class Server(SiteServer):
        def server_bind(self) -> None:
            self.server_address = (address, 0)
            super().server_bind()

        @property
        def base_url(self) -> str:
            return f"http://{address}:{self.server_address[1]}"

    server = Server(folder)
    server.RequestHandlerClass = _RedirectingHandler
    server.elsewhere = {}
    servers.append(server.start())
    return server, server.base_url


def write(folder: Path, path: str, text: str) -> None:
    file = folder / path.lstrip("/")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")


def rss(*urls: str) -> str:
    return ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Feed</title>'
            + "".join(f"<item><title>Item {i}</title><link>{u}</link></item>" for i, u in enumerate(urls))
            + "</channel></rss>\n")


@pytest.fixture
def sites(tmp_path):
    """Three loopback sites: the start site (127.0.0.1), another service on the same machine (127.0.0.1, another
    port: the Redis-on-localhost case) and a site on another loopback address (127.0.0.2)."""
    servers: list[SiteServer] = []
    folders = {name: tmp_path / name for name in ("start", "service", "second")}
    for folder in folders.values():
        write(folder, "robots.txt", "User-agent: *\nDisallow:\n")
    for i, path in enumerate(["/2026/11/10/other-port-story.html", "/2026/11/11/localhost-other-port.html",
                              "/2026/11/08/redirected-to-localhost.html"]):
        write(folders["service"], path, article_page(30 + i))
    for i, path in enumerate(["/2026/11/06/second-host-story.html", "/2026/11/07/second-host-odd-spelling.html"]):
        write(folders["second"], path, article_page(40 + i))
    for i, path in enumerate(["/2026/11/02/sitemap-story.html", "/2026/11/04/feed-story.html",
                              "/2026/11/05/localhost-story.html", "/2026/11/03/ipv6-loopback-story.html"]):
        write(folders["start"], path, article_page(20 + i))
    second, _ = serve_on(folders["second"], "127.0.0.2", servers)
    service, _ = serve_on(folders["service"], "127.0.0.1", servers)
    start, _ = serve_on(folders["start"], "127.0.0.1", servers)
    port, port2, port3 = (server.server_address[1] for server in (start, second, service))
    start.elsewhere.update({"/go/metadata": USER_DATA,
                            "/go/localhost": f"http://localhost:{port3}/2026/11/08/redirected-to-localhost.html"})

    write(folders["start"], "robots.txt", "User-agent: *\nDisallow:\nSitemap: {{BASE}}/sitemap.xml\n"
                                          "Sitemap: http://100.100.100.200/latest/meta-data/sitemap.xml\n")
    entries = ["{{BASE}}/2026/11/02/sitemap-story.html", "http://10.1.2.3/2026/11/01/intranet-story.html",
               f"http://[::1]:{port}/2026/11/03/ipv6-loopback-story.html"]
    write(folders["start"], "sitemap.xml",
          '<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
          + "".join(f"<url><loc>{u}</loc></url>" for u in entries) + "</urlset>\n")
    write(folders["start"], "feed.xml", rss(
        "{{BASE}}/2026/11/04/feed-story.html", METADATA,
        f"http://localhost:{port}/2026/11/05/localhost-story.html",  # the start service, by another name
        f"http://127.0.0.1:{port3}/2026/11/10/other-port-story.html",
        f"http://localhost:{port3}/2026/11/11/localhost-other-port.html",
        f"http://127.0.0.2:{port2}/2026/11/06/second-host-story.html",
        f"http://0x7f.0.0.2:{port2}/2026/11/07/second-host-odd-spelling.html",
        "{{BASE}}/go/metadata", "{{BASE}}/go/localhost", UNRESOLVABLE))
    write(folders["start"], "loopback-feed.xml", rss(
        f"http://127.0.0.1:{port3}/2026/11/10/other-port-story.html",
        f"http://127.0.0.2:{port2}/2026/11/06/second-host-story.html"))
    yield start, service, second
    for server in servers:
        server.stop()


def paths(server: SiteServer) -> set[str]:
    return {path for path, _ in list(server.hits)}


def test_private_targets_are_refused_logged_and_recorded(sites, tmp_path):
    start, service, second = sites
    base, port, port2, port3 = start.base_url, *(s.server_address[1] for s in (start, second, service))
    store = tmp_path / "refused.db"
    began = time.monotonic()
    run = crawl("--feed", f"{base}/feed.xml", "--sitemap", f"{base}/robots.txt", store=store)
    took = time.monotonic() - began
    assert run.code == 1, run.stderr  # refusals are errors, so cron mail shows them

    # the start host and port are allowed, under any name that reaches them
    assert set(stored_articles(store)) == {f"{base}/2026/11/04/feed-story.html",
                                           f"{base}/2026/11/02/sitemap-story.html",
                                           f"http://localhost:{port}/2026/11/05/localhost-story.html"}
    errs = errors(store)
    # a name that does not resolve fails the way a download would, and is not called a refusal
    assert [r.split(":")[0] for r in errs.pop(UNRESOLVABLE)] == ["DNSLookupError"], errs
    allow = "(set allow_private or PRESSWASH_ALLOW_PRIVATE to allow it)"
    expected = {
        # feed items
        METADATA: f"refused: 169.254.169.254 is a link-local/cloud metadata address {allow}",
        f"http://127.0.0.1:{port3}/2026/11/10/other-port-story.html":  # another port of the start host
            f"refused: 127.0.0.1:{port3} is a loopback address {allow}",
        f"http://localhost:{port3}/2026/11/11/localhost-other-port.html":  # a name that resolves to loopback
            f"refused: localhost:{port3} resolves to 127.0.0.1, a loopback address {allow}",
        f"http://127.0.0.2:{port2}/2026/11/06/second-host-story.html":
            f"refused: 127.0.0.2:{port2} is a loopback address {allow}",
        f"http://0x7f.0.0.2:{port2}/2026/11/07/second-host-odd-spelling.html":  # another spelling
            f"refused: 0x7f.0.0.2:{port2} is 127.0.0.2, a loopback address {allow}",
        # sitemap entries
        "http://10.1.2.3/2026/11/01/intranet-story.html": f"refused: 10.1.2.3 is a private address {allow}",
        f"http://[::1]:{port}/2026/11/03/ipv6-loopback-story.html":
            f"refused: [::1]:{port} is a loopback address {allow}",
        # a Sitemap: line of robots.txt
        "http://100.100.100.200/latest/meta-data/sitemap.xml":
            f"refused: 100.100.100.200 is a cloud metadata address {allow}",
        # redirects from the start host: the target is refused, and the reason says where it came from
        USER_DATA: f"refused: 169.254.169.254 is a link-local/cloud metadata address {allow}; "
                   f"redirected from {base}/go/metadata",
        f"http://localhost:{port3}/2026/11/08/redirected-to-localhost.html":
            f"refused: localhost:{port3} resolves to 127.0.0.1, a loopback address {allow}; "
            f"redirected from {base}/go/localhost",
    }
    assert errs == {url: [reason] for url, reason in expected.items()}, errs

    # nothing refused reached a server (the loopback ones would have answered); the redirects were served
    assert not paths(second) and not paths(service), (paths(second), paths(service))
    assert "/2026/11/03/ipv6-loopback-story.html" not in paths(start)
    assert {"/go/metadata", "/go/localhost"} <= paths(start)
    # refused before any connection: the reasons above are the guard's, not a connection error, and no
    # connect timeout or retry was waited out
    assert took < 30, took

    # logged once per host, counted in the run's stats and shown in the summary
    warnings = [line for line in run.stderr.splitlines() if "WARNING: refused: " in line]
    assert len(warnings) == len({"169.254.169.254", "127.0.0.1", "localhost", "127.0.0.2", "10.1.2.3", "::1",
                                 "100.100.100.200"}), warnings
    (status, stats), = runs(store)
    assert status == "finished"
    assert stats["requests_refused"] == len(expected) and stats["fetch_errors"] == len(expected) + 1
    assert f"requests refused: {len(expected)}" in run.stderr


def test_the_allow_list_lets_private_hosts_in(sites, tmp_path):
    start, service, second = sites
    base, port, port2, port3 = start.base_url, *(s.server_address[1] for s in (start, second, service))
    store = tmp_path / "allowed.db"
    config = tmp_path / "sites.toml"
    config.write_text(f"""
[crawl]
allow_private = ["127.0.0.2", "localhost:{port3}"]

[[site]]
name = "Start"
feeds = ["{base}/feed.xml"]
sitemaps = ["{base}/robots.txt"]
""", encoding="utf-8")
    run = crawl("--config", config, store=store)
    assert run.code == 1, run.stderr
    stored = set(stored_articles(store))
    assert stored == {
        f"{base}/2026/11/04/feed-story.html", f"{base}/2026/11/02/sitemap-story.html",
        f"http://localhost:{port}/2026/11/05/localhost-story.html",
        f"http://127.0.0.2:{port2}/2026/11/06/second-host-story.html",  # 127.0.0.2, allowed as an address
        f"http://0x7f.0.0.2:{port2}/2026/11/07/second-host-odd-spelling.html",  # the same, spelt otherwise
        f"http://localhost:{port3}/2026/11/11/localhost-other-port.html",  # a host name and port
        f"http://localhost:{port3}/2026/11/08/redirected-to-localhost.html",  # reached through a redirect
    }, stored
    assert paths(second) >= {"/2026/11/06/second-host-story.html", "/2026/11/07/second-host-odd-spelling.html"}
    # what the list does not name is still refused; a name entry allows that name, not its address
    errs = errors(store)
    assert errs.pop(UNRESOLVABLE)[0].startswith("DNSLookupError")
    assert {METADATA, USER_DATA, "http://10.1.2.3/2026/11/01/intranet-story.html",
            "http://100.100.100.200/latest/meta-data/sitemap.xml",
            f"http://[::1]:{port}/2026/11/03/ipv6-loopback-story.html",
            f"http://127.0.0.1:{port3}/2026/11/10/other-port-story.html"} == set(errs), errs
    assert all(reason.startswith("refused: ") for reasons in errs.values() for reason in reasons)
    assert "/2026/11/10/other-port-story.html" not in paths(service)

    # and "*" turns the guard off (this feed names loopback hosts only: no test connects anywhere else)
    run = crawl("--feed", f"{base}/loopback-feed.xml", store=tmp_path / "off.db",
                settings={"PRESSWASH_ALLOW_PRIVATE": "*"})
    assert run.code == 0, run.stderr
    assert set(stored_articles(tmp_path / "off.db")) == {
        f"http://127.0.0.1:{port3}/2026/11/10/other-port-story.html",
        f"http://127.0.0.2:{port2}/2026/11/06/second-host-story.html"}
