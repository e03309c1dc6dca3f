"""Language packs: a pack that lists ``languages`` applies only to pages in one of them; packs without the list
(the English generic pack among them) apply as before. The page language reaches the cleaners from the
Processor: the page's declared language, else the one identified in the text (tests/test_language.py)."""

from __future__ import annotations

import tomllib

import pytest

from cleaners import Cleaner, RuleBook, RuleError
from cleaners.packs import Pack, parse_pack, primary_language
from cleaners.rules import DropBlock, DropLine
from scraper.api import clean_text as api_clean_text
from scraper.core.document import Page
from scraper.core.extraction import parse_html
from scraper.core.process import Options, Processor
from tests.conftest import article_html, call_main

GERMAN = [
    ("Die Stadtwerke erhöhen zum ersten Januar die Preise für Fernwärme um durchschnittlich acht Prozent, "
     "teilte das Unternehmen am Dienstag in einer Pressemitteilung mit."),
    ("Als Grund nannte der Geschäftsführer die gestiegenen Kosten für Gas und die Investitionen in das neue "
     "Wärmenetz im Norden der Stadt, das bis 2027 fertig sein soll."),
    ("Mieterverbände kritisierten die Erhöhung und forderten den Stadtrat auf, einen Härtefallfonds für "
     "einkommensschwache Haushalte einzurichten."),
]
FRENCH = [
    ("La mairie a annoncé mardi la fermeture de la piscine municipale pendant six mois, le temps de remplacer "
     "le système de chauffage et de rénover les vestiaires."),
    ("Les clubs de natation seront accueillis dans les bassins des communes voisines, a précisé l'adjoint aux "
     "sports lors du conseil municipal de lundi soir."),
    "Le coût des travaux est estimé à 2,4 millions d'euros, dont un tiers sera financé par la région.",
]
SPANISH = [
    ("El Ayuntamiento aprobó el martes un plan para plantar 5.000 árboles en los barrios del sur de la ciudad "
     "antes de que termine el próximo año."),
    ("La concejala de Medio Ambiente explicó que la medida busca reducir la temperatura de las calles durante "
     "las olas de calor del verano."),
    "Los vecinos podrán proponer las zonas prioritarias a través de la web municipal hasta el 30 de noviembre.",
]
# Clutter lines of each language, in the order they follow the article, and the comment count among them.
CLUTTER = {
    "de": ["Lesen Sie auch:", "Anzeige", "Newsletter abonnieren", "Folgen Sie uns auf Facebook und Instagram",
           "12 Kommentare", "Kommentar schreiben"],
    "fr": ["Lire aussi :", "Publicité", "Inscrivez-vous à notre newsletter", "Suivez-nous sur Facebook",
           "3 commentaires", "Laisser un commentaire"],
    "es": ["Lee también:", "Publicidad", "Suscríbete a nuestro boletín", "Síguenos en Facebook, X e Instagram",
           "5 comentarios", "Deja un comentario"],
}
ARTICLES = {"de": GERMAN, "fr": FRENCH, "es": SPANISH}
COUNTS = {"de": 12, "fr": 3, "es": 5}


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    # The language packs alone: the recognisers of the categories pack (CAT) take clutter in any language
    # on any page, so they would clean the "other language" pages too (tests/cleaners/test_categories.py).
    return Cleaner(RuleBook.load().selected(ignore=["CAT"]))


def page_text(lang: str) -> str:
    return "\n".join(ARTICLES[lang] + CLUTTER[lang])


@pytest.mark.parametrize("lang", ["de", "fr", "es"])
@pytest.mark.parametrize("tag", ["{}", "{}-AT", "{}_ch", "{}-419", "{upper}"])
def test_a_language_pack_cleans_pages_in_its_language(cleaner, lang, tag):
    result = cleaner.clean_text(page_text(lang), language=tag.format(lang, upper=lang.upper()))
    assert result.text == "\n".join(ARTICLES[lang])
    assert f"phrases-{lang}" in result.packs
    assert result.facts.get("comment_count") == COUNTS[lang]
    assert {e.rule[:3] for e in result.edits} == {"G" + lang.upper()}


@pytest.mark.parametrize("lang", ["de", "fr", "es"])
@pytest.mark.parametrize("other", [None, "", "en", "en-GB", "ru", "x-default"])
def test_a_language_pack_leaves_other_and_unknown_languages_alone(cleaner, lang, other):
    text = page_text(lang)
    result = cleaner.clean_text(text, language=other)
    assert result.text == text
    assert not any(p.startswith("phrases-") for p in result.packs)


def test_each_pack_applies_only_to_its_own_language(cleaner):
    for lang in ARTICLES:
        for other in ARTICLES:
            packs = cleaner.clean_text(page_text(lang), language=other).packs
            assert [p for p in packs if p.startswith("phrases-")] == [f"phrases-{other}"]


def test_packs_without_languages_still_apply_to_a_german_page(cleaner):
    text = "\n".join(GERMAN + ["Newsletter abonnieren", "Advertisement", "0 comments:", "Post a Comment"])
    result = cleaner.clean_text(text, language="de")
    assert result.text == "\n".join(GERMAN)
    assert {"generic", "blogger", "phrases-de"} <= set(result.packs)
    assert result.facts.get("comment_count") == 0


def test_zero_words_of_the_counters_give_a_count(cleaner):
    for lang, line in (("de", "Keine Kommentare"), ("fr", "Aucun commentaire"), ("es", "Sin comentarios")):
        result = cleaner.clean_text("\n".join(ARTICLES[lang] + [line]), language=lang)
        assert result.text == "\n".join(ARTICLES[lang]) and result.facts.get("comment_count") == 0


ZERO_COUNTERS = {
    "it": (["Il consiglio comunale ha approvato ieri sera il nuovo piano per il traffico del centro storico.",
            "La misura entrerà in vigore a marzo e prevede zone a velocità ridotta vicino alle scuole."],
           "Nessun commento"),
    "pt": (["A câmara municipal aprovou ontem o novo plano de mobilidade para o centro da cidade.",
            "As obras começam em março e devem durar cerca de dois anos, segundo a autarquia."],
           "Nenhum comentário"),
    "pl": (["Rada miasta przyjęła wczoraj nowy plan transportowy dla centrum i okolicznych dzielnic.",
            "Prace mają się rozpocząć w marcu i potrwać około dwóch lat, poinformował rzecznik."],
           "Brak komentarzy"),
    "nl": (["De gemeenteraad heeft gisteravond het nieuwe verkeersplan voor de binnenstad goedgekeurd.",
            "De werkzaamheden beginnen in maart en duren naar verwachting ongeveer twee jaar."],
           "Geen reacties"),
}


@pytest.mark.parametrize("lang", sorted(ZERO_COUNTERS))
def test_zero_words_of_the_newer_packs_give_a_count(cleaner, lang):
    body, line = ZERO_COUNTERS[lang]
    result = cleaner.clean_text("\n".join(body + [line]), language=lang)
    assert result.text == "\n".join(body) and result.facts.get("comment_count") == 0


def test_a_language_pack_cleans_idempotently(cleaner):
    for lang in ARTICLES:
        once = cleaner.clean_text(page_text(lang), language=lang)
        assert cleaner.clean_text(once.text, language=lang).edits == []


def test_primary_language():
    assert primary_language("de-AT") == primary_language("DE_ch") == primary_language(" de ") == "de"
    assert primary_language(None) is None and primary_language("") is None


# --- the `languages` header ---------------------------------------------------------------------------

def pack_data(languages) -> dict:
    return {"pack": {"name": "phrases-xx", "prefix": "XXX", "languages": languages},
            "rule": [{"id": "XXX001", "name": "promo", "kind": "drop-line", "pattern": "promo line",
                      "why": "A made-up promo line.", "remove": ["Promo line"]}]}


def test_languages_are_read_from_the_pack_header():
    assert parse_pack(pack_data(["de", "gsw"]), "x.toml").languages == frozenset({"de", "gsw"})
    assert parse_pack({"pack": {"name": "plain"}}, "x.toml").languages == frozenset()


BAD_LANGUAGES = ['"de"', "[]", '["de-AT"]', '["DE"]', '["german"]', '["d"]', "[3]", '["de", "x1"]']


@pytest.mark.parametrize("bad", BAD_LANGUAGES)
def test_bad_languages_are_refused_naming_the_file(tmp_path, bad):
    path = tmp_path / "phrases-xx.toml"
    path.write_text(f'[pack]\nname = "phrases-xx"\nlanguages = {bad}\n', encoding="utf-8")
    with pytest.raises(RuleError, match="'languages'") as info:
        RuleBook.load([tmp_path])
    assert str(info.value).startswith(f"{path}: ")
    with pytest.raises(RuleError, match=r"^phrases-xx\.toml: .*'languages'"):
        parse_pack(pack_data(tomllib.loads(f"v = {bad}")["v"]), "phrases-xx.toml")


def test_languages_narrow_a_site_pack():
    rule = DropLine(id="EXA001", name="promo", why="a rule made up for a test", pack="example-de",
                    pattern="promo line")
    pack = Pack(name="example-de", domains=("example.de",), languages=frozenset({"de"}), rules=[rule])
    book = RuleBook([pack])
    assert [p.name for p in book.choose("www.example.de", None, [], "de-DE")] == ["example-de"]
    assert book.choose("www.example.de", None, [], "fr") == []
    assert book.choose("www.example.de", None, [], None) == []
    assert book.choose("example.org", None, [], "de") == []


GERMAN_PROMO_HTML = '<div class="abo-hinweis">Jetzt im Abo: drei Monate für einen Euro</div>'


def german_dom_book() -> RuleBook:
    block = DropBlock(id="DDE001", name="abo-hinweis", why="a rule made up for a test", pack="dom-de",
                      tags=["div"], class_match="abo-hinweis")
    return RuleBook(RuleBook.load().packs + [Pack(name="dom-de", languages=frozenset({"de"}), rules=[block])])


@pytest.mark.parametrize(("language", "dropped"), [("de", True), ("de-AT", True), ("fr", False), (None, False)])
def test_clean_tree_takes_the_language(language, dropped):
    tree = parse_html(article_html(GERMAN, body_extra=GERMAN_PROMO_HTML))
    edits = Cleaner(german_dom_book()).clean_tree(tree, language=language)
    assert ("DDE001" in {e.rule for e in edits}) is dropped


# --- the Processor passes the page language ------------------------------------------------------------

def german_page(lang: str | None, body_extra: str = "") -> Page:
    paragraphs = GERMAN + ["Newsletter abonnieren"]
    html = article_html(paragraphs, title="Fernwärme wird teurer", charset="utf-8", lang=lang, body_extra=body_extra)
    return Page(body=html.encode("utf-8"), source="test", url="https://example.de/fernwaerme", kind="html")


def test_processor_applies_the_pack_of_the_declared_language():
    article = Processor()(german_page("de"))
    assert article.ok, article.error
    assert article.language == "de"
    assert "phrases-de" in article.packs
    assert "Newsletter abonnieren" not in article.text
    assert {"rule": "GDE001", "text": "Newsletter abonnieren"} in article.removed
    assert "Fernwärme" in article.text


@pytest.mark.parametrize("lang", [None, "en"])
def test_processor_leaves_the_line_when_the_page_is_not_declared_german(lang):
    # Without a declaration the text is identified as German, unless detection is off; without the
    # recognisers and the learned scorer too, since CAT008 and LRN001 take "Newsletter abonnieren" on a page in
    # any language.
    article = Processor(Options(detect_language=False, ignore=("CAT", "LRN")))(german_page(lang))
    assert article.ok, article.error
    assert "phrases-de" not in article.packs
    assert "Newsletter abonnieren" in article.text
    assert "Newsletter abonnieren" not in Processor()(german_page(lang)).text


def test_processor_falls_back_to_the_detected_language():
    article = Processor(Options(mode="balanced"))(german_page(None))
    assert article.ok, article.error
    assert article.language == "de" and article.provenance.get("language") == "detected"
    assert "phrases-de" in article.packs and "Newsletter abonnieren" not in article.text


def test_processor_dom_stage_gets_the_declared_language():
    processor = Processor(cleaner=Cleaner(german_dom_book()))
    german = processor(german_page("de-AT", body_extra=GERMAN_PROMO_HTML))
    assert any(e["rule"] == "DDE001" for e in german.removed)
    unknown = processor(german_page(None, body_extra=GERMAN_PROMO_HTML))
    assert not any(e["rule"] == "DDE001" for e in unknown.removed)


def test_text_input_has_no_language_without_detection():
    text = "\n".join(["Fernwärme wird teurer"] + GERMAN + ["Anzeige"])
    article = api_clean_text(text, options=Options(detect_language=False))
    assert article.ok and article.language is None and "phrases-de" not in article.packs
    # The German pack's ad label rule did not run ("Anzeige" may still go: the learned scorer reads no language).
    assert not any(e["rule"].startswith("GDE") for e in article.removed)


def test_rules_lists_the_language_packs():
    out = call_main("rules").stdout
    for rid, pack in (("GDE001", "phrases-de"), ("GFR001", "phrases-fr"), ("GES001", "phrases-es")):
        assert any(rid in line and pack in line for line in out.splitlines())
