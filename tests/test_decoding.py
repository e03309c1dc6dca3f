"""Bytes to text: the decoder's order of evidence, and whole pages in legacy charsets through the CLI."""

from __future__ import annotations

import codecs

import pytest
from tests.conftest import (
    HARBOUR, HARBOUR_WORDS, WarcRecord, article_html, assert_ok, call_main, english_page, write_warc,
)

from scraper.core.decoding import charset_from_content_type, decode, normalise_label

# Real sentences, long enough that detection has something to go on, with words that only survive a
# correct decode: in cp1252 "é" mis-decoded as UTF-8 fails, and as Latin-1 vs cp1252 "œ" and "€" differ.
FRENCH = [
    "Le café de la gare a rouvert lundi après deux ans de travaux, au grand plaisir des habitués du quartier.",
    "Le patron, François Dubœuf, a passé l'été à rénover la salle. « C'était nécessaire », a-t-il déclaré.",
    "Le menu du déjeuner coûte toujours 14 €, même pour la crème brûlée, et la terrasse est déjà pleine à midi.",
]
FRENCH_WORDS = ("café de la gare", "François Dubœuf", "14 €", "crème brûlée", "« C'était nécessaire »")

ARABIC = [
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة الإسكندرية بعد ثلاث سنوات من العمل.",
    "وقال الوزير إن المستشفى سيخدم أكثر من مليون مواطن في المنطقة، وسيضم قسما للطوارئ وقسما لطب الأطفال.",
    "وأضاف أن الحكومة ستفتتح مستشفيين آخرين في الصعيد قبل نهاية العام المقبل، وفق الخطة المعلنة.",
]
ARABIC_WORDS = ("وزارة الصحة", "الإسكندرية", "لطب الأطفال")

JAPANESE = [
    "東京都は月曜日、新しい橋の開通式を行った。知事は式典で「市民の安全を第一に考えた」と述べた。",
    "橋の建設には三年かかり、総工費は約四十億円だった。通勤客は朝早くから列を作り、最初の渡橋を待った。",
    "都は来年度、周辺の道路も拡幅する計画で、渋滞の緩和が期待されている。地元の商店街も歓迎している。",
]
JAPANESE_WORDS = ("開通式", "市民の安全を第一に考えた", "四十億円", "商店街")

CASES = {
    # name: (paragraphs, python codec used to write the bytes, label declared in the page, words)
    "cp1252": (FRENCH, "cp1252", "windows-1252", FRENCH_WORDS),
    "cp1256": (ARABIC, "cp1256", "windows-1256", ARABIC_WORDS),
    "sjis": (JAPANESE, "shift_jis", "Shift_JIS", JAPANESE_WORDS),
}


# --- the decoder on its own ---------------------------------------------------------------------------------

@pytest.mark.parametrize("bom, codec", [
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
])
def test_bom_wins_over_everything(bom, codec):
    html = '<html><head><meta charset="windows-1252"></head><body>Dubœuf</body></html>'
    d = decode(bom + html.encode(codec), content_type="text/html; charset=iso-8859-1")
    assert (d.how, d.encoding, d.errors) == ("bom", codec, False)
    assert "Dubœuf" in d.text and not d.text.startswith("\ufeff")


def test_http_charset_wins_over_meta():
    data = article_html(FRENCH, charset="utf-8").encode("cp1252")
    d = decode(data, content_type="text/html; charset=windows-1252")
    assert (d.how, d.encoding) == ("http", "cp1252")
    assert "François Dubœuf" in d.text


def test_meta_charset_forms():
    body = "<body><p>Dubœuf paie 14 €</p></body></html>"
    for head in ('<meta charset="windows-1252">', "<meta charset=iso-8859-1>",
                 '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'):
        d = decode(f"<html><head>{head}</head>{body}".encode("cp1252"))
        assert d.how == "meta" and d.encoding == "cp1252", head
        assert "Dubœuf paie 14 €" in d.text  # iso-8859-1 is read as cp1252, as browsers do


def test_undeclared_utf8_is_taken_as_utf8():
    d = decode("<html><body>日本語 and Ünïcödé</body></html>".encode())
    assert (d.how, d.errors) == ("utf-8", False) and "日本語 and Ünïcödé" in d.text


def test_mostly_utf8_with_a_bad_byte_stays_utf8_and_is_flagged():
    data = ("<html><body>" + "Ünïcödé café " * 50 + "</body></html>").encode().replace(b"caf\xc3\xa9", b"caf\xff", 1)
    d = decode(data)
    assert d.encoding == "utf-8" and d.errors
    assert d.text.count("\ufffd") == 1 and "Ünïcödé" in d.text


def test_declared_charset_that_does_not_fit_is_flagged():
    # Declared UTF-8 but written in cp1252: the declaration wins (as in browsers), the damage is flagged.
    data = article_html(FRENCH, charset="utf-8").encode("cp1252")
    d = decode(data)
    assert d.how == "meta" and d.errors and "\ufffd" in d.text


def test_utf8_bytes_declared_latin1_are_read_as_utf8():
    # The usual lie of a server set to ISO-8859-1: reading the bytes as declared would give "FranÃ§ois".
    data = article_html(FRENCH, charset="iso-8859-1").encode("utf-8")
    for content_type in ("text/html; charset=ISO-8859-1", "text/html; charset=windows-1252", None):
        d = decode(data, content_type=content_type)
        assert (d.encoding, d.errors) == ("utf-8", False) and "François Dubœuf" in d.text
    # Latin-1 bytes that are not valid UTF-8 are read as declared, and pure ASCII is the same either way.
    assert decode("Dubœuf".encode("cp1252"), "text/html; charset=iso-8859-1").encoding == "cp1252"
    assert decode(b"<p>plain</p>", "text/html; charset=iso-8859-1").encoding == "cp1252"


@pytest.mark.parametrize("label, expected", [
    ("ISO-8859-1", "cp1252"), ("latin1", "cp1252"), ("us-ascii", "cp1252"), ("Shift_JIS", "cp932"),
    ("windows-1256", "cp1256"), ("UTF8", "utf-8"), ("gb2312", "gb18030"), ("utf-16", "utf-8"),
    (" 'euc-jp' ", "euc_jp"), ("no-such-charset", None), ("", None), (None, None),
])
def test_normalise_label(label, expected):
    assert normalise_label(label) == expected


def test_charset_from_content_type():
    assert charset_from_content_type('text/html; charset="Windows-1256"') == "cp1256"
    assert charset_from_content_type("text/html;charset=utf-8") == "utf-8"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type(None) is None


@pytest.mark.parametrize("name", CASES)
def test_detection_without_any_declaration(name):
    paragraphs, codec, _, words = CASES[name]
    d = decode(article_html(paragraphs).encode(codec))
    assert d.how == "detected" and not d.errors
    for w in words:
        assert w in d.text


# --- whole pages through the CLI ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def charset_batch(tmp_path_factory):
    """Every legacy charset page, with and without a declaration, as .html and as .txt, plus good pages."""
    d = tmp_path_factory.mktemp("charsets")
    paths = [HARBOUR]
    for name, (paragraphs, codec, label, _) in CASES.items():
        for declared in (True, False):
            page = article_html(paragraphs, title=paragraphs[0][:30], charset=label if declared else None)
            path = d / f"{name}-{'declared' if declared else 'undeclared'}.html"
            path.write_bytes(page.encode(codec))
            paths.append(path)
        text = d / f"{name}.txt"
        text.write_bytes("\n".join(paragraphs).encode(codec))
        paths.append(text)
    bom_page = d / "utf16-bom.html"
    bom_page.write_bytes(codecs.BOM_UTF16_LE + article_html(FRENCH).encode("utf-16-le"))
    paths.append(bom_page)
    run = call_main("clean", *paths)
    run.dir = d
    return run


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("variant", ["declared.html", "undeclared.html", "txt"])
def test_legacy_charset_pages_decode_to_the_right_words(charset_batch, name, variant):
    path = charset_batch.dir / (f"{name}.txt" if variant == "txt" else f"{name}-{variant}")
    record = charset_batch.one(path)
    assert_ok(record, *CASES[name][3])
    assert "decode-errors" not in record["flags"]
    assert "\ufffd" not in record["text"]
    # Typical mojibake of these charsets read as cp1252/latin-1: none of it may appear.
    for junk in ("Ã", "Â", "Ø§", "‚Ä"):
        assert junk not in record["text"]


def test_utf16_page_with_bom(charset_batch):
    assert_ok(charset_batch.one(charset_batch.dir / "utf16-bom.html"), *FRENCH_WORDS)


def test_charset_batch_good_page_and_exit(charset_batch):
    assert charset_batch.code == 0
    assert_ok(charset_batch.one(HARBOUR), *HARBOUR_WORDS)


def test_warc_http_header_charset_is_used(tmp_path):
    # The page itself declares nothing: only the HTTP Content-Type of the record says windows-1256.
    page = article_html(ARABIC, title="مستشفى جديد").encode("cp1256")
    warc = write_warc(tmp_path / "ar.warc.gz", [
        WarcRecord("response", "https://news.example/ar/1", page, "text/html; charset=windows-1256"),
    ])
    record = call_main("clean", warc).records[0]
    assert_ok(record, *ARABIC_WORDS)
    assert record["source"] == f"{warc}#0"


@pytest.mark.parametrize("words", ["über die Brücke", "après la pluie", "el señor", "après the café reopens"])
def test_a_few_accents_in_an_undeclared_page_read_as_cp1252(words):
    # Too few non-ASCII bytes for statistics: the detector's favourite (cp1250 or cp775 here, giving
    # "aprčs") is a coin toss; cp1252 is what browsers assume and what such pages almost always are.
    page = english_page().replace('<meta charset="utf-8">', "")
    page = page.replace("next spring", f"next spring, {words},").encode("cp1252")
    d = decode(page)
    assert d.how == "detected" and d.encoding == "cp1252"
    assert words in d.text
