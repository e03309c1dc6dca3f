"""`presswash explain --html`: one self-contained page with every removal struck through in place and labelled
with its rule, the DOM blocks dropped, the metadata with its provenance, and the duplicate and story links.
The page is parsed with lxml here, and rendered by a real headless Chromium in tests/test_explain_browser.py."""

from __future__ import annotations

import lxml.html
from tests.conftest import HARBOUR, ROOT, call_main, english_page
from tests.test_stories import retitled, trimmed

from cleaners import RuleBook
from scraper.core.fingerprint import fingerprint
from scraper.core.metadata import PROVENANCE
from scraper.store import Store

SEEDS = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
SEED_000 = next(p for p in SEEDS if p.name.startswith("000_"))
BOOK = RuleBook.load()


def explain_page(tmp_path, *inputs, name: str = "report.html"):
    """Run ``explain --html -o`` on ``inputs``; the page, parsed, and the records `clean` gives the same inputs."""
    out = tmp_path / name
    run = call_main("explain", "--html", "-o", out, *inputs)
    assert run.code == 0 and run.stdout == "", run.stderr
    records = call_main("clean", *inputs).records
    return lxml.html.fromstring(out.read_text(encoding="utf-8")), records


def cuts(section) -> list[tuple[str, str, str]]:
    """Each removal shown in ``section``: (its rule label, the struck-through text, the tooltip)."""
    return [(c.find_class("rule")[0].text_content(), c.find("del").text_content(), c.get("title"))
            for c in section.find_class("cut")]


def test_every_removal_is_struck_through_in_place_with_its_rule(tmp_path):
    page, [record] = explain_page(tmp_path, SEED_000)
    [section] = page.cssselect("section")
    shown = cuts(section)
    # Exactly the record's removals (`removed` is in the order made; the page in the text's), each struck
    # through under its rule's label.
    assert sorted((rule, text) for rule, text, _ in shown) == sorted((r["rule"], r["text"]) for r in record["removed"])
    assert [rule for rule, _, _ in shown] == ["GEN002", "GEN001", "WPN001", "WPN001", "WPN001"]
    for rule_id, _, tip in shown:
        rule = BOOK.rule(rule_id)
        assert tip == f"{rule.id} {rule.name}: {rule.why}"  # the hover text: name and rationale
    # In place: the stripped image name sits in the paragraph it was cut from, before the words kept.
    [stripped] = section.cssselect(".text p .cut.stripped")
    paragraph = stripped.getparent()
    assert stripped.find("del").text == "151.jpg"
    assert paragraph.text_content().startswith("GEN001151.jpg Bush regimes")
    # Kept lines are plain paragraphs: together with the struck ones they give back the text in order.
    kept = [p.text_content() for p in section.cssselect(".text p") if not p.find_class("dropped")]
    assert "\n".join(k.replace("GEN001151.jpg ", "") for k in kept) == record["text"]
    # Each label links to its rule in the table of the rules that fired.
    for label in section.find_class("rule"):
        row = page.get_element_by_id(f"rule-{label.text}")
        assert BOOK.rule(label.text).why in row.text_content()


def test_the_blocks_the_dom_rules_dropped_are_listed_with_their_rule(tmp_path):
    extra = (BOOK.rule("DOM003").remove[0].text + BOOK.rule("DOM004").remove[0].text)
    (tmp_path / "page.html").write_text(english_page().replace("</article>", extra + "</article>"),
                                        encoding="utf-8")
    page, [record] = explain_page(tmp_path, tmp_path / "page.html")
    blocks = cuts(page.find_class("blocks")[0])
    assert [rule for rule, _, _ in blocks] == ["DOM003", "DOM004"]
    assert "Budget talks stall again" in blocks[0][1] and "Facebook" in blocks[1][1]
    assert blocks[0][2].startswith("DOM003 related-posts: Related-post")
    # The DOM blocks are the record's first removals, as in `removed`.
    assert [r["rule"] for r in record["removed"][:2]] == ["DOM003", "DOM004"]


def test_the_record_table_gives_each_field_its_source(tmp_path):
    page, [record] = explain_page(tmp_path, HARBOUR)
    table = page.find_class("record")[0]
    rows = {tr[0].text_content(): tr for tr in table.findall(".//tr")[1:]}
    assert record["provenance"], "the fixture page declares its metadata"
    for field, source in record["provenance"].items():
        if field == "author":  # shown once, as `authors`, with the same source
            continue
        row = rows[field]
        value = record[field]
        assert row[1].text_content() == (", ".join(value) if isinstance(value, list) else str(value))
        code = row[2].find("code")
        assert code.text == source and code.get("title") == PROVENANCE[source]


def test_two_seeds_that_share_a_story_link_to_each_other(tmp_path):
    page, records = explain_page(tmp_path, *SEEDS)
    first, second = page.cssselect("section")[:2]
    assert first.get("id") == "doc-1" and "000_" in first.find("h2").text
    assert [li.text_content() for li in first.find_class("placement")[0]] == [
        "duplicate of: - (an original)", "story: its own"]
    story = second.find_class("placement")[0][1]
    [link] = story.findall("a")
    assert link.get("href") == "#doc-1" and link.text == str(SEED_000)
    assert records[1]["story"] == records[0]["id"]
    assert records[0]["id"] in story.text_content() and "shares 2 long quote(s) with it" in story.text_content()
    # The table of contents lists both documents.
    assert [a.get("href") for a in page.cssselect("ul > li > a")[:2]] == ["#doc-1", "#doc-2"]


def test_the_page_is_self_contained_and_escapes_what_the_document_says(tmp_path):
    hostile = ('<script>alert(1)</script> <img src="http://127.0.0.1:9/x.png"> "quoted" & more\n'
               + "A paragraph long enough to stand as the text of the article, more than its headline. " * 3)
    (tmp_path / "hostile.txt").write_text(hostile, encoding="utf-8")
    page, _ = explain_page(tmp_path, tmp_path / "hostile.txt", SEED_000)
    assert not page.cssselect("script, img, link, iframe, object, embed, [src], [style]")
    assert all(a.get("href").startswith("#") for a in page.iter("a"))
    assert "<script>alert(1)</script>" in page.text_content()  # shown as text


def test_html_goes_to_stdout_without_o_and_a_failure_gets_its_section(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    run = call_main("explain", "--html", SEED_000, tmp_path / "empty.html")
    assert run.code == 1  # a document failed, as in the terminal explain
    page = lxml.html.fromstring(run.stdout)
    error = page.get_element_by_id("doc-2").find_class("alert")[0]
    assert error.text_content() == "error: the document is empty"


def test_o_writes_the_terminal_text_to_a_file_and_refuses_an_unwritable_one(tmp_path):
    out = tmp_path / "explain.txt"
    run = call_main("explain", "--color", "auto", "-o", out, SEED_000)
    assert run.code == 0 and run.stdout == ""
    assert out.read_text(encoding="utf-8") == call_main("explain", "--color", "never", SEED_000).stdout
    (tmp_path / "afile").write_text("x")
    run = call_main("explain", "--html", "-o", tmp_path / "afile" / "report.html", SEED_000)
    assert run.code == 2 and run.stderr.startswith("presswash explain: cannot write the output")


def test_a_copy_of_a_stored_article_names_it_by_id_and_url(tmp_path):
    """With --store, a duplicate of one of the store's articles gets its id and stored URL (no link: it is not
    on the page); the store is only read."""
    wire = SEEDS[1].read_text(encoding="utf-8")
    store = tmp_path / "s.db"
    with Store(store) as opened:
        rec = {"id": "x", "url": "https://a.example/wire?a=1&b=<2>", "text": wire, "content_hash": "h", "flags": []}
        opened.save_article(rec, rec["url"], fingerprint=fingerprint(wire))
    (tmp_path / "copy.txt").write_text(retitled(trimmed(wire)), encoding="utf-8")
    out = tmp_path / "report.html"
    assert call_main("explain", "--html", "--store", store, "-o", out, tmp_path / "copy.txt").code == 0
    page = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    duplicate = page.find_class("placement")[0][0]
    [stored_id] = {r["duplicate_of"] for r in call_main("clean", "--store", store, tmp_path / "copy.txt").records}
    with Store(store) as opened:
        url = opened.article_url(stored_id)
    assert "&" in url  # escaped on the page, read back whole
    assert duplicate.text_content().startswith(f"duplicate of: {stored_id} ({url}): estimated similarity 0.")
    assert duplicate.find("code").text == stored_id and not duplicate.findall("a")


def test_a_text_the_rules_removed_whole_shows_what_they_removed(tmp_path):
    """The error of a document left with no text sends the reader to explain: explain shows the removals."""
    clutter = tmp_path / "clutter.txt"
    clutter.write_text("Share this:\nFacebook\nTwitter\nPost a Comment\n", encoding="utf-8")
    [record] = call_main("clean", clutter).records
    assert record["error"].startswith("no text left: the cleaner rules removed all of it (4 removals")
    terminal = call_main("explain", clutter)
    assert terminal.code == 1
    lines = terminal.stdout.splitlines()
    assert lines[1] == f"error: {record['error']}"
    assert [line.split("]")[1].strip() for line in lines[2:]] == ["Share this:", "Facebook", "Twitter",
                                                                "Post a Comment"]
    run = call_main("explain", "--html", clutter)
    assert run.code == 1
    [section] = lxml.html.fromstring(run.stdout).cssselect("section")
    assert section.find_class("alert")[0].text_content() == f"error: {record['error']}"
    assert [text for _, text, _ in cuts(section)] == ["Share this:", "Facebook", "Twitter", "Post a Comment"]
