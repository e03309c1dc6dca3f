"""Language identification where the page declares none, and the record's ``provenance``: real py3langid, no
mocks. The phrases-de pack applies to a German text dump only because its language was detected."""

from __future__ import annotations

import json

import pytest

from scraper import clean_html, clean_text
from scraper.core.document import RECORD_FIELDS, Failure, Page
from scraper.core.language import MIN_CHARS, detect_language
from scraper.core.metadata import DECLARED, PROVENANCE
from scraper.core.process import Options
from scraper.evaluation.systems import ABLATION_SYSTEMS, pipeline_options
from scraper.store import Store
from tests.store.conftest import sql
from tests.conftest import ENGLISH_PARAGRAPHS, article_html, call_main, processor

# Written for these tests: a local news story in German, with a newsletter prompt after it.
GERMAN = [
    "Stadtrat beschließt neues Radwegenetz",
    ("Der Stadtrat hat am Donnerstagabend mit großer Mehrheit beschlossen, in den kommenden fünf Jahren ein "
     "zusammenhängendes Netz von Radwegen durch alle Stadtteile zu bauen."),
    ("Die Kosten von rund zwölf Millionen Euro sollen zur Hälfte aus Fördermitteln des Landes kommen, sagte "
     "die Bürgermeisterin nach der Sitzung. Die ersten Abschnitte entstehen im Frühjahr an der Hauptstraße."),
    ("Anwohner der Innenstadt hatten sich zuvor über fehlende Parkplätze beschwert, die für die neuen Wege "
     "wegfallen. Die Verwaltung will dafür zwei Quartiersgaragen am Rand der Altstadt prüfen."),
    "Newsletter abonnieren",
]
GERMAN_TEXT = "\n".join(GERMAN) + "\n"


def german_dump(**options) -> object:
    return processor(Options(**options))(Page(body=GERMAN_TEXT.encode(), source="radwege.txt", kind="text"))


def test_a_german_text_without_declaration_is_detected_and_gets_the_german_pack():
    article = german_dump()
    assert article.ok, article.error
    assert article.language == "de" and article.provenance.get("language") == "detected"
    assert "phrases-de" in article.packs
    assert "Newsletter abonnieren" not in article.text
    assert any(r["text"] == "Newsletter abonnieren" for r in article.removed)


def test_detection_off_leaves_the_language_null_and_the_german_line_in():
    # CAT008 and the learned scorer (LRN001) take the line in any language
    article = german_dump(detect_language=False, ignore=("CAT", "LRN"))
    assert article.ok, article.error
    assert article.language is None and "language" not in article.provenance
    assert "phrases-de" not in article.packs
    assert "Newsletter abonnieren" in article.text
    assert "language" not in article.steps.seconds


def test_a_declared_language_wins_over_the_text():
    article = clean_html(article_html(ENGLISH_PARAGRAPHS, title="Coastal line", lang="fr-FR"))
    assert article.ok, article.error
    assert detect_language(article.text) == "en"  # the text is English ...
    assert article.language == "fr" and article.provenance.get("language") == "html-lang"  # ... the page says French
    assert "language" not in article.steps.seconds  # and nothing was identified


@pytest.mark.parametrize("head, headers, source", [
    ('<meta http-equiv="Content-Language" content="fr">', {}, "meta"),
    ('<meta property="og:locale" content="fr_FR">', {}, "meta"),
    ("", {"content-language": "fr-CH"}, "http-header"),
])
def test_each_declaration_names_its_source(head, headers, source):
    html = article_html(ENGLISH_PARAGRAPHS, title="Coastal line", head_extra=head)
    article = processor()(Page(body=html.encode(), source="x.html", kind="html", headers=headers))
    assert article.language == "fr" and article.provenance.get("language") == source
    assert source in DECLARED


@pytest.mark.parametrize("lang", ["lang=", "x-default", "und", "", "12"])
def test_a_declaration_that_names_no_language_is_no_declaration(lang):
    article = clean_html(article_html(GERMAN[1:4], title="Radwegenetz", lang=lang))
    assert article.language == "de" and article.provenance.get("language") == "detected"


def test_an_undeclared_html_page_gets_the_language_of_its_text():
    article = clean_html(article_html(GERMAN[1:4], title="Radwegenetz"))
    assert article.ok, article.error
    assert article.language == "de" and article.provenance.get("language") == "detected"
    assert article.steps.counts["language"] == {"detected": 1}


def test_a_too_short_text_gets_null():
    short = "Stadtrat beschließt neues Radwegenetz für die Innenstadt."
    assert len(short) < MIN_CHARS and detect_language(short) is None
    article = clean_text(short)
    assert article.ok and article.language is None and "language" not in article.provenance
    assert article.steps.counts["language"] == {"unsure": 1}


@pytest.mark.parametrize("text", ["", "   \n ", "12:30 14:45 16:00 — 3 : 1 — 2024-05-01 " * 20])
def test_no_guess_without_language(text):
    assert detect_language(text) is None


def test_other_languages_are_told_apart():
    french = ("La mairie a annoncé mardi la fermeture de la piscine municipale pendant six mois, le temps de "
              "remplacer le système de chauffage et de rénover les vestiaires, a précisé l'adjoint aux sports. Les "
              "clubs de natation seront accueillis dans les bassins des communes voisines.")
    assert len(french) >= MIN_CHARS
    assert detect_language(french) == "fr"
    assert detect_language(" ".join(ENGLISH_PARAGRAPHS)) == "en"


def test_provenance_is_in_every_record_in_order():
    record = german_dump().to_record()
    assert list(record) == list(RECORD_FIELDS)
    assert RECORD_FIELDS.index("provenance") == RECORD_FIELDS.index("image") + 1
    assert record["provenance"].get("language") == "detected"
    failure = Failure.of(Page(body=b"", source="x"), "the document is empty").to_record()
    assert list(failure) == list(RECORD_FIELDS) and failure["provenance"] == {} and failure["language"] is None
    assert set(PROVENANCE) >= {"html-lang", "meta", "http-header", "detected"}


def test_each_article_owns_its_provenance():
    process = processor()
    one, two = (process(Page(body=GERMAN_TEXT.encode(), source=f"{n}.txt", kind="text")) for n in "ab")
    one.provenance["language"] = "changed"
    assert two.provenance.get("language") == "detected"


def test_clean_writes_provenance_and_the_flag_turns_detection_off(tmp_path):
    dump = tmp_path / "radwege.txt"
    dump.write_text(GERMAN_TEXT, encoding="utf-8")
    on = call_main("clean", str(dump), "--time-limit", "0")
    assert on.code == 0 and on.records[0]["language"] == "de"
    assert on.records[0]["provenance"].get("language") == "detected"
    off = call_main("clean", str(dump), "--time-limit", "0", "--no-detect-language",
                    "--ignore", "CAT,LRN")  # CAT008 and LRN001 would take the newsletter line in any language
    assert off.code == 0 and off.records[0]["language"] is None and "language" not in off.records[0]["provenance"]
    assert "Newsletter abonnieren" in off.records[0]["text"]


def test_explain_shows_the_language_and_its_source(tmp_path):
    dump = tmp_path / "radwege.txt"
    dump.write_text(GERMAN_TEXT, encoding="utf-8")
    out = call_main("explain", str(dump), "--time-limit", "0").stdout
    assert "language: de (detected)" in out.splitlines()


def test_the_store_keeps_provenance_and_fills_it_for_older_records(tmp_path):
    with Store(tmp_path / "s.db") as store:
        record = german_dump().to_record()
        store.save_article(record, "https://example.de/radwege")
        old = dict(record, id="old", content_hash="0" * 64)
        del old["provenance"]
        sql(store, "INSERT INTO articles (id, url, record, content_hash, revision, first_seen, last_seen, "
                   "last_changed) VALUES ('old', 'https://example.de/alt', :record, :hash, 1, 'x', 'x', 'x')",
            record=json.dumps(old), hash=old["content_hash"])
        got = {r["url"] or r["id"]: r for r in store.articles()}
    new = next(r for r in got.values() if r["provenance"])
    assert new["provenance"].get("language") == "detected"
    older = next(r for r in got.values() if not r["provenance"])
    assert list(older)[:len(RECORD_FIELDS)] == list(RECORD_FIELDS) and older["provenance"] == {}


def test_the_ablation_system_turns_detection_off():
    assert "presswash-no-langid" in ABLATION_SYSTEMS
    assert pipeline_options("presswash-no-langid").detect_language is False
    assert pipeline_options("presswash").detect_language is True
