"""Properties of the default cleaner over generated documents: it never raises, never adds words, only
ever keeps (parts of) input lines, and is idempotent. The documents mix real clutter (every line of every text
rule's remove examples, and the multi-line examples whole), sentences with the same trigger words, article
text and noise, for pages of every language a pack is for and of none."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaners import RuleBook, default_cleaner

BOOK = RuleBook.load()

# Real clutter: every line of every text rule's remove examples.
CLUTTER = sorted({line.strip() for r in BOOK.rules() if r.stage == "text" for ex in r.remove
                  for line in ex.text.splitlines() if line.strip()})
# Whole multi-line remove examples (a related-posts heading with its teasers), as the rules see them.
BLOCKS = sorted({ex.text.strip() for r in BOOK.rules() if r.stage == "text" for ex in r.remove if "\n" in ex.text})
# Real sentences with trigger words, and article paragraphs.
KEEPERS = sorted({line.strip() for r in BOOK.rules() if r.stage == "text" for ex in r.keep
                  for line in ex.text.splitlines() if line.strip()})
ARTICLE = [
    "The talks in the Green Zone offices were the first meeting between Iran and the United States since 1979.",
    "Iranian Ambassador Hassan Kazemi Qomi said that the two sides would meet again in less than a month.",
    "Crocker called the meeting “businesslike” and said the Iranian position was very close to our own.",
    "In Tehran, Foreign Minister Manouchehr Mottaki said the talks could lead to future meetings.",
    "Hoshiyar Zebari said: “I think it is a positive development. This is just the beginning.”",
    "Des pluies torrentielles ont frappé la région samedi, selon les autorités locales.",
    "Правительство объявило о новых мерах поддержки малого бизнеса в понедельник.",
    "政府は月曜日、新しい経済対策を発表した。",
    "Comments from the minister drew sharp criticism from lawmakers.",
    "Share prices fell 3 percent in early trading on Monday.",
    "Check also the appendix, the lawyer said, because it lists every payment.",
]
HEADINGS = ["Check Also", "Related Posts", "Related", "You may also like", "More stories", "Read next"]
WHITESPACE = st.sampled_from(["", " ", "\t", "\u00a0", "\u3000", " \u2009 ", "\u200b", "\f", "\x1c"])
IMAGE_NAMES = st.sampled_from(["151.jpg", "IMG_2041.JPG", "photo-1.png", "a.gif", "x_y.webp", "1.jpg"])
HTML_SAMPLES = st.sampled_from([
    None,
    '<link href="/wp-content/themes/x/style.css">',
    "<meta content='blogger' name='generator'/>",
    '<div class="sharedaddy">',
    '/wp-content/ blogspot.com class="jp-relatedposts"',
])

random_line = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
wordy_line = st.lists(st.sampled_from(["the", "Comments", "Share", "Post", "a", "Comment", "Related", "Posts",
                                       "Check", "Also", "Source", ":", "0", "12", "no", "...", "…", "©", "2024",
                                       "Tags:", "Iran", "said", "Advertisement", ".", "Home", "Older", "»"]),
                      min_size=1, max_size=14).map(" ".join)
base_line = st.one_of(
    st.sampled_from(CLUTTER),
    st.sampled_from(KEEPERS),
    st.sampled_from(ARTICLE),
    st.sampled_from(HEADINGS),
    st.sampled_from(BLOCKS),
    wordy_line,
    random_line,
    WHITESPACE,
)
line = st.one_of(
    base_line,
    st.tuples(IMAGE_NAMES, base_line).map("".join),  # an image name glued to a line
    st.tuples(WHITESPACE, base_line, WHITESPACE).map("".join),
)
document = st.lists(line, max_size=30)
separator = st.sampled_from(["\n", "\n\n", "\r\n", "\n \n"])


# The language packs apply only to pages in their language.
LANGUAGES = st.sampled_from([None, "en", "de", "de-AT", "fr", "es", "ES"] + sorted({lang for p in BOOK.packs
                                                                               for lang in p.languages}))


@st.composite
def inputs(draw):
    lines = draw(document)
    text = draw(separator).join(lines)
    title = draw(st.one_of(st.none(), st.sampled_from(lines) if lines else st.none(), random_line))
    return text, title, draw(HTML_SAMPLES), draw(LANGUAGES)


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEED_LIKE = ("Iran, USA talk after 27 years\n\n151.jpgBush regimes’ puppet Ryan Crocker talked.\n\u00a0\n"
             + "\n".join(ARTICLE[:5]) + "\nCheck Also\nStarmer’s silence speaks volumes\nAs exiled activists …")
KNOWN_CASES = [
    (SEED_LIKE, "Iran, USA talk after 27 years", None, None),
    ("\n".join(ARTICLE[:5] + ["IMG_1.jpgNewer Post Older Post Home"]), None, None, None),
    ("".join(f"{chr(65 + i)}{i}.jpg" for i in range(10)) + "Kazemi said so.", None, None, None),
    ("\n".join(ARTICLE[:5] + ["Keine Kommentare", "Teilen:", "Mehr zum Thema"]), None, None, "de"),
]


def known_cases(test):
    """Run the hand-picked cases (a seed-like text, glued image names, a German page) before the drawn ones."""
    for case in KNOWN_CASES:
        test = example(case)(test)
    return test


@SETTINGS
@known_cases
@given(inputs())
def test_cleaner_never_adds_text(case):
    text, title, html, language = case
    result = default_cleaner().clean_text(text, title=title, html_sample=html, language=language)
    assert len(result.text.split()) <= len(text.split())
    input_lines = text.splitlines()
    for out in result.text.split("\n") if result.text else []:
        assert out.strip() == out and out, f"output line {out!r} is blank or untrimmed"
        assert any(out in inp for inp in input_lines), f"output line {out!r} is not part of any input line"
    for edit in result.edits:
        assert edit.text and any(edit.text in inp for inp in input_lines)


@SETTINGS
@known_cases
@given(inputs())
def test_cleaning_is_idempotent(case):
    text, title, html, language = case
    cleaner = default_cleaner()
    once = cleaner.clean_text(text, title=title, html_sample=html, language=language)
    twice = cleaner.clean_text(once.text, title=title, html_sample=html, language=language)
    assert twice.text == once.text
    assert twice.edits == []
