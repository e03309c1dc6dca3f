"""Behaviour of the rule engine: zones, caps, whole lines, tail truncation guards, harvested facts, flags,
pack choice, user packs and the errors a malformed pack gets."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cleaners import Cleaner, RuleBook, RuleError, default_cleaner
from cleaners.packs import RuleNames
from cleaners.rules import Counter, DropLine, TruncateTail

# Article paragraphs: each ends a sentence and is long enough to read as prose.
P1 = ("The talks in the Green Zone offices of Iraqi Prime Minister Nouri al-Maliki were the first meeting "
      "between Iran and the United States since relations broke after the 1979 Islamic Revolution.")
P2 = ("Iranian Ambassador Hassan Kazemi Qomi said that the two sides would meet again in less than a month, "
      "and that Tehran was ready to help train the Iraqi army and police.")
P3 = ("Crocker called the meeting businesslike and said the Iranian position, as the ambassador set it out, "
      "was very close to the policy of the United States on Iraq.")
P4 = ("In Tehran, Foreign Minister Manouchehr Mottaki said the talks could lead to future meetings, but only "
      "if Washington admitted that its Middle East policy had failed.")
P5 = ("Hoshiyar Zebari, the Iraqi foreign minister, said it was a positive development that both countries "
      "should encourage and build on in the months ahead.")
ARTICLE = [P1, P2, P3, P4, P5]

WP_HTML = '<link rel="stylesheet" href="https://example.org/wp-content/themes/jannah/style.css">'
BLOGGER_HTML = "<meta content='blogger' name='generator'/>"
JETPACK_HTML = '<div class="sharedaddy sd-sharing-enabled">'
ALL_CMS_HTML = WP_HTML + BLOGGER_HTML + JETPACK_HTML


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return default_cleaner()


def drop(rid: str, pattern: str, **kw) -> DropLine:
    return DropLine(id=rid, name=rid.lower(), why="a rule made up for a test", pack="test", pattern=pattern, **kw)


def lines_of(text: str) -> list[str]:
    return text.split("\n") if text else []


def rules_fired(result) -> set[str]:
    return {e.rule for e in result.edits}


# --- zones ---------------------------------------------------------------------------------------------

def test_tail_zone_counts_only_kept_lines(cleaner):
    footer = drop("TST001", "post a comment", zone="tail", zone_lines=2)
    ads = drop("TST002", r"ad \d+")
    text = "\n".join([P1, P2, "Post a Comment"] + [f"Ad {i}" for i in range(1, 6)])
    # Alone, the footer rule sees only the last two lines (ads): the zone is real.
    alone = cleaner.clean_text(text, rules=[footer])
    assert "Post a Comment" in alone.text and alone.edits == []
    # Once the ads are removed they no longer count, and the footer is inside the zone.
    both = cleaner.clean_text(text, rules=[footer, ads])
    assert both.text == "\n".join([P1, P2])
    assert [e.text for e in both.edits if e.rule == "TST001"] == ["Post a Comment"]


def test_rule_order_does_not_matter_for_zones(cleaner):
    footer = drop("TST001", "post a comment", zone="tail", zone_lines=2)
    ads = drop("TST002", r"ad \d+")
    text = "\n".join([P1, "Post a Comment"] + [f"Ad {i}" for i in range(1, 6)])
    assert cleaner.clean_text(text, rules=[ads, footer]).text == cleaner.clean_text(text, rules=[footer, ads]).text == P1


def test_head_zone_counts_only_kept_lines(cleaner):
    byline = drop("TST003", r"by staff writers?", zone="head", zone_lines=1)
    ads = drop("TST002", r"ad \d+")
    text = "\n".join(["Ad 1", "Ad 2", "Ad 3", "By staff writer", P1, "By staff writer"])
    assert cleaner.clean_text(text, rules=[byline]).edits == []
    result = cleaner.clean_text(text, rules=[byline, ads])
    # The head zone holds one kept line: the first byline goes, the one after the article stays.
    assert result.text == "\n".join([P1, "By staff writer"])


def test_tail_zone_boundary(cleaner):
    footer = drop("TST001", "post a comment", zone="tail", zone_lines=2)
    inside = "\n".join([P1, "Post a Comment", P2])
    outside = "\n".join([P1, "Post a Comment", P2, P3])
    assert cleaner.clean_text(inside, rules=[footer]).text == "\n".join([P1, P2])
    assert cleaner.clean_text(outside, rules=[footer]).text == outside


def test_builtin_tail_rule_ignores_the_same_words_high_up():
    text = "\n".join(["Comments", P1, P2, P3, P4, P5, P1, P2, "Comments"])
    # The phrase rules alone: the learned scorer (LRN001) rates a bare label anywhere, next to removed clutter or not.
    result = Cleaner(RuleBook.load().selected(ignore=["LRN"])).clean_text(text)
    assert lines_of(result.text)[0] == "Comments"
    assert lines_of(result.text)[-1] == P2
    assert [e.rule for e in result.edits] == ["GEN028"]


# --- word caps and whole lines -------------------------------------------------------------------------

def test_word_cap(cleaner):
    rule = drop("TST004", r"post a comment.*", max_words=3)
    short = cleaner.clean_text(f"{P1}\nPost a Comment", rules=[rule])
    assert short.text == P1
    long = "Post a comment below if you saw the accident, police said."
    assert cleaner.clean_text(f"{P1}\n{long}", rules=[rule]).edits == []


def test_patterns_match_whole_lines_only(cleaner):
    rule = drop("TST005", "advertisement")
    text = "\n".join([P1, "Advertisement spending rose 5 percent last year.", "  ADVERTISEMENT  ", P2])
    result = cleaner.clean_text(text, rules=[rule])
    assert result.text == "\n".join([P1, "Advertisement spending rose 5 percent last year.", P2])
    assert [(e.text, e.action) for e in result.edits] == [("ADVERTISEMENT", "drop")]


def test_whitespace_only_lines_go_and_lines_are_trimmed(cleaner):
    text = f"  {P1}  \n\u00a0\n\t\n\u3000\n\n{P2}\r\n \n"
    assert cleaner.clean_text(text, rules=[]).text == f"{P1}\n{P2}"


# --- tail truncation and its guards --------------------------------------------------------------------

TEASERS = ["Starmer’s silence on human rights in Saudi Arabia speaks volumes",
           "As exiled activists, we were stunned to see the former human rights lawyer cosying up …"]


@pytest.mark.parametrize("heading", ["Check Also", "Related Posts", "Related posts:", "You may also like"])
def test_related_box_at_the_end_is_cut(cleaner, heading):
    text = "\n".join(ARTICLE + [heading] + TEASERS)
    result = cleaner.clean_text(text, html_sample=WP_HTML)
    assert result.text == "\n".join(ARTICLE)
    assert [e.text for e in result.edits] == [heading] + TEASERS
    assert rules_fired(result) <= {"WPN001", "WPN002", "GEN030"}


def test_teasers_with_one_sentence_blurbs_are_still_cut(cleaner):
    box = ["Related Posts", "Museum director steps down",
           "The director of the city museum resigned on Friday after a row over the budget for next year.",
           "City plans new arts quarter",
           "The council wants to turn the old docks into studios, galleries and cheap flats for young artists."]
    result = cleaner.clean_text("\n".join(ARTICLE + box), html_sample=WP_HTML)
    assert result.text == "\n".join(ARTICLE)


def test_a_sentence_below_the_box_and_a_counter_stays(cleaner):
    # The box ends at its last teaser; below a line too short to be one ("12 Comments"), a sentence is the
    # page's, not a teaser's blurb. The counter goes (with the box or by its own rule); the sentence stays.
    box = ["Related Posts", "Museum director steps down", "City plans new arts quarter", "12 Comments"]
    sentence = "She declined to comment on the lawsuit when reached by phone on Friday."
    result = cleaner.clean_text("\n".join(ARTICLE + box + [sentence]), html_sample=WP_HTML)
    assert result.text == "\n".join(ARTICLE + [sentence])
    assert cleaner.clean_text(result.text, html_sample=WP_HTML).text == result.text


@pytest.mark.parametrize("heading", ["Related Posts", "Check Also"])
def test_heading_early_in_the_article_never_swallows_it(cleaner, heading):
    # More article below the heading than above it.
    text = "\n".join([P1, heading, "Budget talks stall again"] + ARTICLE[1:] + [P1])
    result = cleaner.clean_text(text, html_sample=WP_HTML)
    assert result.text == text
    assert result.edits == []


@pytest.mark.parametrize("heading", ["Related Posts", "Check Also"])
def test_inline_box_mid_article_never_swallows_the_rest(cleaner, heading):
    # A box of teasers in the middle, then short article paragraphs: the tail is shorter than the text
    # above it and every line is teaser-sized, but the article goes on below the box.
    rest = ["Kazemi did not say how the American ambassador had responded to the offer on Monday.",
            "The talks were held at the prime minister's office in the Green Zone of Baghdad."]
    text = "\n".join(ARTICLE[:3] + [heading, "Budget talks stall again", "City plans new arts quarter"] + rest)
    result = cleaner.clean_text(text, html_sample=WP_HTML)
    assert result.text.endswith("\n".join(rest))
    assert P3 in result.text


def test_short_article_is_not_truncated(cleaner):
    text = "\n".join(["Iran and the United States talked in Baghdad on Monday for four hours.", "Check Also",
                      "Budget talks stall again"])
    result = cleaner.clean_text(text, html_sample=WP_HTML)
    assert result.text == text
    # The same box after a long enough article goes: the guard is the article's length.
    longer = cleaner.clean_text("\n".join(ARTICLE + ["Check Also", "Budget talks stall again"]), html_sample=WP_HTML)
    assert longer.text == "\n".join(ARTICLE)


def test_teasers_too_long_means_no_cut(cleaner):
    long_teaser = " ".join(["word"] * 50)
    text = "\n".join(ARTICLE * 2 + ["Related Posts", "Budget talks stall again", long_teaser])
    result = cleaner.clean_text(text, html_sample=WP_HTML)
    assert result.text == text
    ok = "\n".join(ARTICLE * 2 + ["Related Posts", "Budget talks stall again", " ".join(["word"] * 45)])
    assert cleaner.clean_text(ok, html_sample=WP_HTML).text == "\n".join(ARTICLE * 2)


def test_too_many_teaser_lines_means_no_cut(cleaner):
    rule = TruncateTail(id="TST006", name="t", why="w", pack="test", pattern="related", max_teaser_lines=3)
    body = ARTICLE * 2
    assert cleaner.clean_text("\n".join(body + ["Related", "a", "b", "c"]), rules=[rule]).text == "\n".join(body)
    text = "\n".join(body + ["Related", "a", "b", "c", "d"])
    assert cleaner.clean_text(text, rules=[rule]).text == text


def test_jetpack_related_heading_needs_the_pack(cleaner):
    # Without the recognisers (CAT002 cuts a bare "Related" box on any page, see test_categories.py) and the clutter
    # runs (RUN003 takes a box of links that ends any text, see test_tailrun.py).
    phrases = Cleaner(RuleBook.load().selected(ignore=["CAT", "RUN"]))
    text = "\n".join(ARTICLE + ["Related", "Budget talks stall again", 'In "Local news"'])
    assert phrases.clean_text(text).text == text
    assert phrases.clean_text(text, html_sample=JETPACK_HTML).text == "\n".join(ARTICLE)
    assert cleaner.clean_text(text).text == "\n".join(ARTICLE)


# --- facts harvested from clutter ----------------------------------------------------------------------

def test_strip_prefix_harvests_images(cleaner):
    text = "\n".join(["151.jpgBush regimes’ puppet Ryan Crocker met Iranian diplomats on Monday.",
                      P1, "IMG_2041.JPG The minister arrives at the summit.", "151.jpgCrocker said more."])
    result = cleaner.clean_text(text)
    assert lines_of(result.text) == ["Bush regimes’ puppet Ryan Crocker met Iranian diplomats on Monday.", P1,
                                     "The minister arrives at the summit.", "Crocker said more."]
    assert result.facts["images"] == ["151.jpg", "IMG_2041.JPG"]
    strips = [e for e in result.edits if e.action == "strip"]
    assert [e.text for e in strips] == ["151.jpg", "IMG_2041.JPG", "151.jpg"]
    assert {e.rule for e in strips} == {"GEN001"}


def test_file_names_inside_sentences_stay(cleaner):
    text = "The file photo.jpg was shared widely on Monday.\nLogo.png files are smaller than JPEG files."
    result = cleaner.clean_text(text)
    assert result.text == text and "images" not in result.facts


def test_stacked_prefixes_are_all_stripped(cleaner):
    # Each pass strips one prefix; the engine runs to a fixed point, not a fixed number of passes.
    names = [f"{chr(ord('A') + i)}{i}.jpg" for i in range(12)]
    text = "".join(names) + "Kazemi said the two sides would meet again."
    result = cleaner.clean_text(text)
    assert result.text == "Kazemi said the two sides would meet again."
    assert result.facts["images"] == names
    assert cleaner.clean_text(result.text).edits == []


@pytest.mark.parametrize(("line", "count"), [
    ("12 Comments", 12), ("0 comments:", 0), ("No comments:", 0), ("No responses", 0), ("Comments (4)", 4),
    ("1,234 comments", 1234),
])
def test_counter_records_comment_count(cleaner, line, count):
    result = cleaner.clean_text("\n".join(ARTICLE + [line]))
    assert result.text == "\n".join(ARTICLE)
    assert result.facts["comment_count"] == count


def test_no_comments_on_a_blogger_page(cleaner):
    result = cleaner.clean_text("\n".join(ARTICLE + ["No comments:", "Post a Comment"]))
    assert "blogger" in result.packs
    assert result.facts["comment_count"] == 0
    assert result.text == "\n".join(ARTICLE)


def test_first_counter_wins_and_other_counts_are_separate(cleaner):
    result = cleaner.clean_text("\n".join(ARTICLE + ["1.2k Shares", "7 comments", "9 comments"]))
    assert result.facts["share_count"] == 1200
    assert result.facts["comment_count"] == 7  # a scalar fact keeps the first value, in reading order
    assert result.text == "\n".join(ARTICLE)


def test_counter_needs_a_number_group():
    with pytest.raises(RuleError, match="named group"):
        Counter(id="TST007", name="c", why="w", pattern=r"\d+ comments")


def test_attribution_is_recorded(cleaner):
    result = cleaner.clean_text("\n".join(ARTICLE + ["Source : news.yahoo.com"]))
    assert result.text == "\n".join(ARTICLE)
    assert result.facts["attribution"] == "news.yahoo.com"
    assert [(e.rule, e.text) for e in result.edits] == [("GEN010", "Source : news.yahoo.com")]


def test_attribution_needs_the_tail(cleaner):
    text = "\n".join(["Source: Reuters"] + ARTICLE + ARTICLE)
    result = cleaner.clean_text(text)
    assert result.text == text and "attribution" not in result.facts


def test_source_sentence_is_kept(cleaner):
    line = "Source code for the app was published on GitHub, the company said in a statement."
    result = cleaner.clean_text("\n".join(ARTICLE + [line]))
    assert result.text.endswith(line) and "attribution" not in result.facts


# --- repeated title ------------------------------------------------------------------------------------

TITLE = "Iran, USA talk after 27 years"


@pytest.mark.parametrize("first", [TITLE, "IRAN, USA TALK AFTER 27 YEARS!", "Iran USA talk after 27 years"])
def test_repeated_title_is_dropped(cleaner, first):
    result = cleaner.clean_text("\n".join([first] + ARTICLE), title=TITLE)
    assert result.text == "\n".join(ARTICLE)
    assert [(e.rule, e.text) for e in result.edits] == [("GEN002", first)]


def test_title_is_kept_without_a_title_or_outside_the_head(cleaner):
    text = "\n".join([TITLE] + ARTICLE)
    assert cleaner.clean_text(text).text == text
    late = "\n".join(ARTICLE[:3] + [TITLE] + ARTICLE[3:])
    assert cleaner.clean_text(late, title=TITLE).text == late
    similar = "\n".join(["Iran and the USA talk after 27 years of silence."] + ARTICLE)
    assert cleaner.clean_text(similar, title=TITLE).text == similar


# --- the large-removal flag ----------------------------------------------------------------------------

def test_large_removal_flag(cleaner):
    sentence = "Kazemi said the two sides would meet again within a month."  # 11 words
    half = cleaner.clean_text("\n".join([sentence] + ["Advertisement"] * 11))
    assert half.text == sentence and half.removed_words == 11
    assert half.flags == []  # exactly half is not over half
    over = cleaner.clean_text("\n".join([sentence] + ["Advertisement"] * 12))
    assert over.text == sentence
    assert over.flags == ["large-removal"]
    assert cleaner.clean_text("\n".join(ARTICLE + ["Advertisement"])).flags == []


# --- pack choice ---------------------------------------------------------------------------------------

CMS = {"wordpress", "blogger", "jetpack", "substack", "ghost", "medium", "drupal"}


def test_only_always_on_packs_for_plain_text(cleaner):
    result = cleaner.clean_text("\n".join(ARTICLE))
    assert "generic" in result.packs
    assert not CMS & set(result.packs)


def applied(packs) -> set[str]:
    """Names of the packs that apply whole (not those that give their signature rules alone)."""
    return {p.name for p in packs if not p.signatures_only}


@pytest.mark.parametrize(("html", "pack"), [(WP_HTML, "wordpress"), (BLOGGER_HTML, "blogger"),
                                            (JETPACK_HTML, "jetpack")])
def test_cms_pack_detected_by_html(cleaner, html, pack):
    packs = cleaner.packs_for(None, html, ARTICLE)
    assert pack in applied(packs)
    assert not (CMS - {pack}) & applied(packs)
    # The others give their signature rules alone.
    assert {p.name for p in packs if p.signatures_only} == CMS - {pack}


@pytest.mark.parametrize(("line", "pack"), [("Post a Comment", "blogger"), ("Check Also", "wordpress"),
                                            ("Share this:", "jetpack"), ("Newer Post Older Post Home", "blogger")])
def test_cms_pack_detected_by_a_whole_line(cleaner, line, pack):
    assert pack in applied(cleaner.packs_for(None, None, ARTICLE + [line]))
    # The same words inside a sentence detect nothing.
    sentence = f"{line} was what the sign said, the witness told the court."
    assert pack not in applied(cleaner.packs_for(None, None, ARTICLE + [sentence]))


def test_cms_rules_do_not_run_on_other_pages(cleaner):
    # A Jetpack share button label; without the recognisers (CAT001 takes a lone network name at the end
    # of any text), only the detected pack removes it.
    phrases = Cleaner(RuleBook.load().selected(ignore=["CAT"]))
    text = "\n".join(ARTICLE + ["Facebook"])
    assert phrases.clean_text(text).text == text
    assert phrases.clean_text(text, html_sample=JETPACK_HTML).text == "\n".join(ARTICLE)


def test_pack_detected_on_a_line_uncovered_by_a_strip(cleaner):
    # Stripping the image name leaves Blogger's pager: the blogger pack must then apply, in this run,
    # or cleaning the clean text again would remove more.
    text = "\n".join(ARTICLE + ["IMG_1.jpgNewer Post Older Post Home"])
    result = cleaner.clean_text(text)
    assert result.text == "\n".join(ARTICLE)
    assert "blogger" in result.packs and result.facts["images"] == ["IMG_1.jpg"]
    assert cleaner.clean_text(result.text).edits == []


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


SITE_PACK = '''
    [pack]
    name = "example-com"
    prefix = "EXA"
    domains = ["example.com"]

    [[rule]]
    id = "EXA001"
    name = "promo"
    kind = "drop-line"
    pattern = 'read the example daily every morning'
    why = "The site's promo line under every article."
    remove = ["Read the Example Daily every morning"]
'''


@pytest.mark.parametrize(("host", "applies"), [
    ("example.com", True), ("www.example.com", True), ("news.EXAMPLE.com.", True),
    ("badexample.com", False), ("example.com.evil.net", False), ("example.org", False), (None, False),
])
def test_site_pack_by_domain(tmp_path, host, applies):
    write(tmp_path, "sites/example.com.toml", SITE_PACK)
    cl = Cleaner(RuleBook.load([tmp_path]))
    text = "\n".join(ARTICLE + ["Read the Example Daily every morning"])
    result = cl.clean_text(text, hostname=host)
    assert ("example-com" in result.packs) is applies
    assert (result.text == "\n".join(ARTICLE)) is applies


def test_user_pack_overrides_builtin_by_name(tmp_path):
    origin = write(tmp_path, "my-blogger.toml", '''
        [pack]
        name = "blogger"
        prefix = "BLG"
        detect.lines = ['blogspot footer']

        [[rule]]
        id = "BLG900"
        name = "blogspot-footer"
        kind = "drop-line"
        pattern = 'blogspot footer'
        zone = "tail"
        why = "A footer line made up for this test."
        remove = ["Blogspot footer"]
    ''')
    book = RuleBook.load([tmp_path])
    bloggers = [p for p in book.packs if p.name == "blogger"]
    assert len(bloggers) == 1 and bloggers[0].origin == str(origin)
    assert book.rule("BLG002") is None and book.rule("BLG900") is not None
    assert book.rule("GEN001") is not None  # the other built-in packs stay
    result = Cleaner(book).clean_text("\n".join(ARTICLE + ["Blogspot footer"]))
    assert result.text == "\n".join(ARTICLE)
    assert [e.rule for e in result.edits] == ["BLG900"]


# --- malformed packs -----------------------------------------------------------------------------------

GOOD_RULE = {
    "id": '"USR001"', "name": '"promo"', "kind": '"drop-line"', "pattern": "'promo line'",
    "why": '"A made-up promo line."', "remove": '["Promo line"]',
}


def user_pack(tmp_path: Path, prefix: str = "USR", **changes: str | None) -> Path:
    fields = {**GOOD_RULE, **changes}
    body = f'[pack]\nname = "user"\nprefix = "{prefix}"\n\n[[rule]]\n' + "".join(
        f"{k} = {v}\n" for k, v in fields.items() if v is not None)
    return write(tmp_path, "user.toml", body)


def test_a_good_user_pack_loads(tmp_path):
    user_pack(tmp_path)
    assert RuleBook.load([tmp_path]).rule("USR001") is not None


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": '"drop-paragraph"'}, r"rule USR001: unknown kind 'drop-paragraph'; known kinds: .*drop-line"),
    ({"pattern": "'(unclosed'"}, r"rule USR001: bad pattern '\(unclosed': missing \)"),
    ({"why": None}, r"rule USR001: 'why' is required"),
    ({"why": '"  "'}, r"rule USR001: 'why' is required"),
    ({"remove": None}, r"rule USR001: a rule needs at least one 'remove' example"),
    ({"remove": "[]"}, r"rule USR001: a rule needs at least one 'remove' example"),
    ({"zone": '"middle"'}, r"rule USR001: zone must be one of any, head, tail, not 'middle'"),
    ({"kind": '"counter"'}, r"rule USR001: a counter pattern needs a named group \(\?P<n>"),
    ({"max_wrds": "3"}, r"rule USR001: unknown parameter\(s\) max_wrds for kind drop-line"),
    ({"stage": '"dom"'}, r"rule USR001: unknown parameter\(s\) stage for kind drop-line"),
    ({"regex": "'x'"}, r"rule USR001: unknown parameter\(s\) regex for kind drop-line"),
    ({"remove": "[3]"}, r"rule USR001: an example is a string"),
    ({"remove": '"Promo line"'}, r"rule USR001: 'remove' must be a list of examples"),
    ({"zone_lines": '"5"'}, r"rule USR001: 'zone_lines' must be a whole number, not '5'"),
    ({"max_words": "true"}, r"rule USR001: 'max_words' must be a whole number, not True"),
    ({"pattern": "3"}, r"rule USR001: 'pattern' must be a string, not 3"),
])
def test_malformed_rule_errors_name_the_file_rule_and_problem(tmp_path, changes, message):
    path = user_pack(tmp_path, **changes)
    with pytest.raises(RuleError, match=message) as info:
        RuleBook.load([tmp_path])
    assert str(info.value).startswith(f"{path}: rule USR001: ")


def test_duplicate_id_with_a_builtin_rule(tmp_path):
    # A prefix of its own ("GEN0") but an id that a built-in rule has.
    path = user_pack(tmp_path, prefix="GEN0", id='"GEN001"')
    with pytest.raises(RuleError, match=r"rule id GEN001 is used twice: in builtin:generic.toml and ") as info:
        RuleBook.load([tmp_path])
    assert str(path) in str(info.value)


def test_duplicate_id_within_one_pack(tmp_path):
    rule = "".join(f"{k} = {v}\n" for k, v in GOOD_RULE.items())
    write(tmp_path, "user.toml", f'[pack]\nname = "user"\nprefix = "USR"\n\n[[rule]]\n{rule}\n[[rule]]\n{rule}')
    with pytest.raises(RuleError, match="rule id USR001 is used twice"):
        RuleBook.load([tmp_path])


def test_broken_toml_and_missing_folder(tmp_path):
    write(tmp_path, "broken.toml", "[pack\nname = 'x'\n")
    with pytest.raises(RuleError, match=r"broken\.toml: cannot read pack"):
        RuleBook.load([tmp_path])
    with pytest.raises(RuleError, match="expects a folder"):
        RuleBook.load([tmp_path / "nope"])


def test_pack_without_a_name(tmp_path):
    write(tmp_path, "nameless.toml", "[[rule]]\nid = 'X'\n")
    with pytest.raises(RuleError, match=r"nameless\.toml: a pack needs a \[pack\] table with a name"):
        RuleBook.load([tmp_path])


# --- sentences that only contain a trigger word --------------------------------------------------------

TRIGGER_SENTENCES = [
    "Comments from the minister drew sharp criticism from lawmakers on Tuesday.",
    "Share prices fell 3 percent in early trading after the announcement.",
    "Check also the appendix, the lawyer said, because it lists every payment.",
    "Post a comment below if you saw the accident, police said.",
    "Related posts on social media were removed by the platform after the court's order.",
    "Source code for the app was published on GitHub, the company said.",
    "Copyright law was changed in 1998, the judge noted, and the change applies here.",
    "Print editions will end in March, the publisher said.",
    "Follow the money, the prosecutor told the jury on Tuesday.",
]


@pytest.mark.parametrize("html", [None, ALL_CMS_HTML], ids=["plain", "all-cms"])
@pytest.mark.parametrize("sentence", TRIGGER_SENTENCES, ids=lambda s: " ".join(s.split()[:3]))
def test_trigger_word_sentences_are_kept(cleaner, sentence, html):
    for lines in (ARTICLE + [sentence], [sentence] + ARTICLE, ARTICLE[:2] + [sentence] + ARTICLE[2:]):
        text = "\n".join(lines)
        result = cleaner.clean_text(text, title=TITLE, html_sample=html)
        assert result.text == text, [e.text for e in result.edits]
        assert result.edits == []


def test_all_trigger_sentences_together_at_the_end(cleaner):
    text = "\n".join(ARTICLE + TRIGGER_SENTENCES)
    result = cleaner.clean_text(text, html_sample=ALL_CMS_HTML)
    assert result.text == text and result.edits == [] and result.facts == {}


def test_builtin_packs_are_parsed_once_per_process(tmp_path):
    from cleaners.packs import load_pack_file

    one, two = RuleBook.load(), RuleBook.load()
    assert one.packs[0].rules is not two.packs[0].rules  # each book may select from its own lists ...
    assert one.packs[0].rules[0] is two.packs[0].rules[0]  # ... of the rules parsed once
    pack = tmp_path / "mine.toml"
    text = ('[pack]\nname = "mine"\nprefix = "MIN"\n[[rule]]\nid = "MIN001"\nname = "n"\nkind = "drop-line"\n'
            'pattern = "Share this"\nwhy = "w"\nremove = ["Share this"]\n')
    pack.write_text(text, encoding="utf-8")
    first = load_pack_file(pack, "builtin:mine.toml")
    pack.write_text(text.replace("Share this", "Tweet this"), encoding="utf-8")
    changed = load_pack_file(pack, "builtin:mine.toml")  # a new text is parsed anew
    assert changed.rules[0].pattern == "Tweet this" and first.rules[0].pattern == "Share this"
    assert load_pack_file(pack).rules[0] is not load_pack_file(pack).rules[0]  # a user's pack: parsed each time


def test_the_rule_names_read_without_the_rule_book_are_the_rule_book_s():
    names = RuleNames.builtin()
    book = RuleBook.load()
    assert len(book.rules()) > 200
    assert all(names.rule(r.id).name == r.name and names.rule(r.id.lower()).id == r.id for r in book.rules())
    assert names.rule("XYZ999") is None
