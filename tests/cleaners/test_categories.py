"""Recognisers (the categories pack, CAT) and signature lines of the CMS packs (issue 11, points 1 and 2).

Signature rules remove a line that is itself proof of its CMS on any input, detected or not, and switch their
pack on when they fire; a sentence with the same words stays. The token-line recogniser removes a line made
only of call-to-action, channel and counter words in eight languages; the vocabulary is the pack's data."""

from __future__ import annotations

import re

import pytest

from cleaners import Cleaner, RuleBook, RuleError, default_cleaner
from cleaners.packs import parse_pack
from cleaners.rules import VOCABULARY_MARK, TokenLine, expand_vocabulary, glued_parts, vocabulary_tries

BODY = [
    "The city council voted on Tuesday to keep the central library open on Sundays, reversing a plan that would "
    "have saved two million pounds a year.",
    "Residents had gathered more than eight thousand signatures against the closure, and the debate in the "
    "chamber ran for almost four hours before the vote.",
    "The mayor said the library would also stay open later on weekdays from March, paid for from the reserve "
    "fund, and that no staff would lose their jobs.",
]
CMS = {"blogger", "drupal", "ghost", "jetpack", "medium", "substack", "wordpress"}


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return default_cleaner()


@pytest.fixture(scope="module")
def no_categories() -> Cleaner:
    """The signature lines are the CMS packs' own work: shown without the recognisers."""
    return Cleaner(RuleBook.load().selected(ignore=["CAT"]))


# --- signature lines need no detection -----------------------------------------------------------------

SIGNATURES = [
    ("Email ThisBlogThis!Share to TwitterShare to FacebookShare to Pinterest", "BLG006", "blogger"),
    ("Posted by Jane Roe at 10:31 AM", "BLG005", "blogger"),
    ("Post a Comment", "BLG002", "blogger"),
    ("Newer Post Older Post Home", "BLG008", "blogger"),
    ("Share this:", "JPK001", "jetpack"),
    ("Like Loading...", "JPK002", "jetpack"),
    ("Click to share on Facebook (Opens in new window)", "JPK006", "jetpack"),
    ("Klicken, um auf X zu teilen (Wird in neuem Fenster geöffnet)", "JPK008", "jetpack"),
    ("Me gusta esto:", "JPK009", "jetpack"),
    ("Leave a Reply to Sam Cancel reply", "WPN003", "wordpress"),
    ("The post Council keeps the library open appeared first on The Ledger.", "WPN006", "wordpress"),
    ("You can follow any responses to this entry through the RSS 2.0 feed. Both comments and pings are currently "
     "closed.", "WPN007", "wordpress"),
    ("Thanks for reading The Ledger! Subscribe for free to receive new posts and support my work.", "SBK001",
     "substack"),
    ("Discover more from The Ledger", "SBK002", "substack"),
    ("Published with Ghost", "GHO001", "ghost"),
    ("You've successfully subscribed to The Ledger", "GHO002", "ghost"),
    ("Member-only story", "MED002", "medium"),
    ("Log in or register to post comments", "DRU001", "drupal"),
    ("Submitted by admin on Mon, 03/04/2021 - 10:31", "DRU002", "drupal"),
]


@pytest.mark.parametrize(("line", "rule", "pack"), SIGNATURES)
def test_a_signature_line_goes_from_a_text_dump_without_any_other_line_of_its_cms(no_categories, line, rule, pack):
    result = no_categories.clean_text("\n".join(BODY + [line]))
    assert result.text == "\n".join(BODY)
    assert pack in result.packs
    # The signature rule, or a rule its detection line switched on ("Share this:" is also GEN050's).
    assert len(result.edits) == 1 and no_categories.rulebook.rule(rule).signature


def test_the_check_also_box_goes_without_detection(no_categories):
    text = "\n".join(BODY + ["Check Also", "Budget talks stall again", "Library archive goes online"])
    result = no_categories.clean_text(text)
    assert result.text == "\n".join(BODY) and {e.rule for e in result.edits} == {"WPN001"}


@pytest.mark.parametrize(("line", "rule", "pack"), SIGNATURES)
def test_a_sentence_with_the_same_words_stays(no_categories, line, rule, pack):
    sentence = f"{line} was what the sign said, the witness told the court on Tuesday."
    text = "\n".join(BODY + [sentence])
    assert no_categories.clean_text(text).text == text


def test_a_signature_that_fires_switches_its_pack_on(no_categories):
    # "Labels: …" is Blogger's only in context; the share row above it is proof of Blogger.
    text = "\n".join(BODY + ["Email ThisBlogThis!Share to TwitterShare to Facebook", "Labels: council, library"])
    result = no_categories.clean_text(text)
    assert result.text == "\n".join(BODY)
    assert [e.rule for e in result.edits] == ["BLG006", "BLG007"]
    # Without the proof the context rule does not run.
    alone = "\n".join(BODY + ["Labels: council, library"])
    assert no_categories.clean_text(alone).text == alone


def test_packs_that_gave_only_their_signatures_are_not_listed_unless_one_fired(cleaner):
    assert not CMS & set(cleaner.clean_text("\n".join(BODY)).packs)
    assert CMS & set(cleaner.clean_text("\n".join(BODY + ["Share this:"])).packs) == {"jetpack"}
    views = [p for p in cleaner.packs_for(None, None, BODY) if p.signatures_only]
    assert {p.name for p in views} == CMS and all(r.signature for p in views for r in p.rules)


def test_signatures_clean_idempotently(cleaner):
    for line, _, _ in SIGNATURES:
        once = cleaner.clean_text("\n".join(BODY + [line, "Labels: council"]))
        assert cleaner.clean_text(once.text).edits == []


def test_a_signature_flag_must_be_true_or_false():
    data = {"pack": {"name": "x", "prefix": "XX", "detect": {"lines": ["x"]}},
            "rule": [{"id": "XX001", "name": "n", "kind": "drop-line", "why": "a rule made up for a test",
                      "pattern": "x", "signature": "yes", "remove": ["x"]}]}
    with pytest.raises(RuleError, match="signature"):
        parse_pack(data, "x.toml")


# --- the token-line recogniser (CAT001) ------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "Share | Tweet | Email | Print", "TwitterFacebookLinkedIn", "Teilen: Facebook · X · WhatsApp · E-Mail",
    "Partager sur Facebook | Imprimer", "Compartir en WhatsApp", "Condividi su Facebook", "Udostępnij · Drukuj",
    "Delen via LinkedIn", "Compartilhe no WhatsApp", "Share on Bluesky Share on Mastodon",
])
def test_button_rows_in_any_order_and_language_go(cleaner, line):
    result = cleaner.clean_text("\n".join(BODY + [line]))
    assert result.text == "\n".join(BODY) and [e.rule for e in result.edits] == ["CAT001"]


@pytest.mark.parametrize("line", [
    "Share prices fell 3 % on Monday.", "Teilen Sie diese Ansicht?", "Comments from the minister drew criticism.",
    "Instagram and Facebook", "print(e)", "X", "Facebook y", "- Send an email",
])
def test_sentences_questions_code_and_fragments_stay(cleaner, line):
    text = "\n".join(BODY + [line])
    assert cleaner.clean_text(text).text == text


def test_one_label_alone_goes_only_near_the_end(cleaner):
    # "TikTok" as a heading in an article about it stays; at the end it is a share button.
    top = "\n".join(["TikTok"] + BODY * 2)
    assert cleaner.clean_text(top).text == top
    assert cleaner.clean_text("\n".join(BODY + ["TikTok"])).text == "\n".join(BODY)


def test_a_counter_in_another_language_gives_the_comment_count(cleaner):
    result = cleaner.clean_text("\n".join(BODY + ["Komentarze (7)"]))
    assert result.text == "\n".join(BODY) and result.facts["comment_count"] == 7
    assert cleaner.clean_text("\n".join(BODY + ["Geen reacties"])).facts["comment_count"] == 0


def test_the_edit_says_what_was_counted(cleaner):
    [edit] = cleaner.clean_text("\n".join(BODY + ["Share | Tweet | 12 Shares"])).edits
    assert edit.rule == "CAT001" and edit.detail.startswith("4/4 tokens in the vocabulary")


def test_glued_labels_are_cut_at_capitals_and_digits():
    assert glued_parts("TwitterFacebook") == ["Twitter", "Facebook"]
    assert glued_parts("2Kommentare") == ["2", "Kommentare"]
    assert glued_parts("WhatsApp") == ["Whats", "App"]


def _token_pack(**rule) -> dict:
    return {"pack": {"name": "t", "prefix": "TT"},
            "vocabulary": {"act": ["share", "print"], "small": ["this"]},
            "rule": [{"id": "TT001", "name": "row", "kind": "token-line", "why": "a rule made up for a test",
                      "words": ["act"], "fillers": ["small"], "remove": ["Share this"], **rule}]}


def test_a_token_line_rule_reads_its_words_from_the_vocabulary():
    [rule] = parse_pack(_token_pack(), "t.toml").rules
    assert isinstance(rule, TokenLine) and rule.score("Share this | Print")[0]
    assert not rule.score("this")[0]  # fillers never make a line alone


def test_unknown_vocabulary_is_an_error():
    with pytest.raises(RuleError, match="'nope' is not in the pack's \\[vocabulary\\]"):
        parse_pack(_token_pack(words=["nope"]), "t.toml")
    data = _token_pack()
    data["rule"] = [{"id": "TT001", "name": "n", "kind": "drop-line", "why": "a rule made up for a test",
                     "pattern": "{{missing}} now", "remove": ["share now"]}]
    with pytest.raises(RuleError, match="missing"):
        parse_pack(data, "t.toml")


def test_a_pattern_names_a_vocabulary_class():
    data = _token_pack()
    data["rule"] = [{"id": "TT001", "name": "n", "kind": "drop-line", "why": "a rule made up for a test",
                     "pattern": "{{act}} now", "remove": ["share now"]}]
    [rule] = parse_pack(data, "t.toml").rules
    assert rule.regex.fullmatch("Print now") and not rule.regex.fullmatch("shared now")


@pytest.mark.parametrize("case_sensitive", [False, True])
def test_a_vocabulary_class_compiles_as_a_trie_that_matches_what_the_word_list_matches(case_sensitive):
    # The pattern's text lists the words (its literals and the backtracking check read it); the compiled
    # regex is a trie of them, which must accept and capture exactly what the list would.
    words = ["share", "share this", "shared", "sharing", "print", "e-mail (pdf)", "Tweet", "a", "ab"]
    pattern = expand_vocabulary(r"({{w}})(\s.*)?", {"w": tuple(words)}, "t")
    assert VOCABULARY_MARK in pattern and "share this" not in vocabulary_tries(pattern)
    flags = 0 if case_sensitive else re.IGNORECASE
    flat, trie = re.compile(pattern, flags), re.compile(vocabulary_tries(pattern), flags)
    for text in words + ["Share This", "share  this now", "sharin", "tweet", "e-mail (pdf) x", "abc", "ab c",
                         "shares", "e-mail", ""]:
        a, b = flat.fullmatch(text), trie.fullmatch(text)
        assert (a and a.groups()) == (b and b.groups()), text
    assert trie.fullmatch("share this").group(1) == "share this"  # the longer word first, as in the list


def test_a_union_of_classes_is_one_group_longest_first():
    # {{a|b}}: a rule reads more words than a class the learned scorers read, without editing that class.
    vocabulary = {"label": ("anzeige", "ad"), "tag": ("anzeige (affiliate-link)", "adv")}
    regex = re.compile(vocabulary_tries(expand_vocabulary(r"({{label|tag}})", vocabulary, "t")))
    assert [regex.fullmatch(w) is not None for w in ("ad", "adv", "anzeige", "anzeige (affiliate-link)")] == [True] * 4
    assert regex.match("anzeige (affiliate-link)").group(1) == "anzeige (affiliate-link)"
    with pytest.raises(RuleError, match="nope"):
        expand_vocabulary(r"{{label|nope}}", vocabulary, "t")


# --- the other recognisers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("lines", "rule"), [
    (["» Ähnliche Artikel «", "Haushalt: Gespräche stocken", "Archiv geht online"], "CAT002"),
    (["Najczęściej czytane", "Bezrobocie spada w regionie", "Nowy most otwarty"], "CAT002"),
    (["Czytaj też:"], "CAT007"),
    (["Sagt uns eure Meinung in den Kommentaren!"], "CAT006"),
    (["Eingestellt von Max um 10:31"], "CAT003"),
    (["Jetzt zum Newsletter anmelden"], "CAT008"),
    (["Inscrivez-vous à notre lettre d'information"], "CAT008"),
    (["Posted on March 3, 2021 by Jane Roe"], "CAT003"),
    (["Veröffentlicht am 3. März 2021 von Max Muster"], "CAT003"),
    (["This article first appeared in The Atlantic."], "CAT004"),
    (["3 thoughts on “How the council spends its money”"], "CAT005"),
    (["Lascia un commento"], "CAT005"),
])
def test_recognisers_take_the_clutter_of_their_kind(cleaner, lines, rule):
    result = cleaner.clean_text("\n".join(BODY + lines))
    assert result.text == "\n".join(BODY)
    assert {e.rule for e in result.edits} == {rule}


def test_a_read_also_label_does_not_cut_the_text_after_it(cleaner):
    # Inline "read also" labels sit between paragraphs: the label goes, the paragraph after it stays.
    text = "\n".join(BODY + ["Lesen Sie auch:", "Die Bibliothek bleibt auch im Sommer geöffnet, sagte sie."])
    result = cleaner.clean_text(text)
    assert result.text == "\n".join(BODY + ["Die Bibliothek bleibt auch im Sommer geöffnet, sagte sie."])


def test_a_network_name_under_a_share_heading_goes_wherever_it_stands(cleaner):
    text = "\n".join(["Share this:", "Twitter", "Facebook"] + BODY * 3)
    assert cleaner.clean_text(text).text == "\n".join(BODY * 3)


def test_conjunctions_only_between_network_names_of_a_longer_row(cleaner):
    row = "Folgen Sie uns auf Facebook und Instagram"
    assert cleaner.clean_text("\n".join(BODY + [row])).text == "\n".join(BODY)
    for phrase in ("Instagram and Facebook", "Facebook und"):
        text = "\n".join(BODY + [phrase])
        assert cleaner.clean_text(text).text == text


def test_a_publisher_credit_is_kept_as_attribution(cleaner):
    result = cleaner.clean_text("\n".join(BODY + ["Republished with permission from Reuters"]))
    assert result.facts["attribution"] == "Reuters"


def test_the_recognisers_run_after_the_phrase_rules(cleaner):
    # GEN010 and CAT004 both fit a "Source:" line; the phrase rule gets the credit.
    result = cleaner.clean_text("\n".join(BODY + ["Source: Reuters"]))
    assert [e.rule for e in result.edits] == ["GEN010"]


# --- broader recognisers: ad labels, rights notices, follow prompts (CAT009-CAT011) -----------------------

@pytest.mark.parametrize(("line", "rule"), [
    ("—— ADVERTISEMENT ——", "CAT009"), ("» Publicité «", "CAT009"), ("Advertentie • Advertentie", "CAT009"),
    ("Artykuł sponsorowany", "CAT009"), ("Contenido patrocinado por Iberdrola", "CAT009"),
    ("In samenwerking met Rabobank", "CAT009"),
    ("© 2023 Le Monde. Tous droits réservés.", "CAT010"), ("(c) 2022 El País – Todos los derechos reservados", "CAT010"),
    ("Copyright © Gazeta Wyborcza 2024", "CAT010"), ("© 2024 NRC. Alle rechten voorbehouden.", "CAT010"),
    ("Suivez-nous sur Instagram, TikTok et Facebook", "CAT011"), ("📱 Síguenos en WhatsApp", "CAT011"),
    ("Segui Il Post su Instagram", "CAT011"), ("Obserwuj nas na Google News", "CAT011"),
    ("FOLLOW US ON INSTAGRAM", "CAT011"),
])
def test_labels_notices_and_follow_prompts_go_in_any_language(cleaner, line, rule):
    # A phrase rule that fits the line first takes the credit (GEN027 the "©" lines, GEN021 the English
    # prompt): the recogniser must take the line alone too.
    result = cleaner.clean_text("\n".join(BODY + [line]))
    assert result.text == "\n".join(BODY)
    alone = Cleaner(RuleBook.load().selected(select=[rule]))
    assert alone.clean_text("\n".join(BODY + [line])).text == "\n".join(BODY)


@pytest.mark.parametrize("line", [
    "Sponsored by the mayor, the bill passed on Tuesday with a large majority.",
    "Advertising revenue fell by a tenth last year, the company said.",
    "La publicidad institucional creció un 20 % en año electoral, según el informe.",
    "The author kept all rights reserved under the contract signed in 2019, the court found.",
    "Copyright law was changed in 2019 after a long debate.",
    "Siga las instrucciones en YouTube antes de votar, pidió el alcalde.",
    "Volg de route langs de rivier tot aan de brug.",
    "Suivez le match sur France 2 à 21 heures.",
    "Join the protest in Madrid on Saturday.",
    "Segui la diretta su Rai 1, ha detto il ministro, e poi vota.",
])
def test_sentences_with_the_labels_words_stay(cleaner, line):
    text = "\n".join(BODY + [line])
    assert cleaner.clean_text(text).text == text


def test_a_rights_notice_in_the_body_stays(cleaner):
    # A licence quoted in an article (a source file's header) is text: the notice goes only at the end.
    text = "\n".join(["(c) Copyright 1994 Example Software Ltd.", "All rights reserved"] + BODY * 3)
    assert cleaner.clean_text(text).text == text


@pytest.mark.parametrize("line", [
    "📩 Abonnez-vous à notre newsletter gratuite", "NEWSLETTER: Sign up here",
    "Täglich informiert: Jetzt den Newsletter bestellen", "Get the latest headlines delivered straight to your inbox",
    "Dieser Text erschien zuerst auf zeit.de", "A version of this story first appeared in The Guardian.",
    "→ Lire l'article complet", "› Continuar lendo",
])
def test_broader_prompts_and_credits_go(cleaner, line):
    assert cleaner.clean_text("\n".join(BODY + [line])).text == "\n".join(BODY)


@pytest.mark.parametrize(("line", "rest"), [
    ("council-vote.jpgthe council met on Monday.", "the council met on Monday."),
    ("4411.jpg2024 was a record year for the port.", "2024 was a record year for the port."),
    ("rathaus.jpg„Wir bleiben dabei“, sagte sie.", "„Wir bleiben dabei“, sagte sie."),
    ("IMG_2041.tiff The minister arrives.", "The minister arrives."),
])
def test_an_image_name_glued_to_any_word_is_cut_off(cleaner, line, rest):
    assert cleaner.clean_text("\n".join([line] + BODY)).text == "\n".join([rest] + BODY)


# --- paywalls, app and affiliate notices, reader prompts, file links, image credits (CAT012-CAT017) -------

@pytest.mark.parametrize(("line", "rule"), [
    ("To read the full article, please log in or become a member.", "CAT012"),
    ("Bereits Abonnent? Jetzt einloggen und weiterlesen.", "CAT012"),
    ("Pour lire cet article, connectez-vous ou abonnez-vous.", "CAT012"),
    ("Para continuar lendo, assine o Jornal.", "CAT012"),
    ("Get the Acme Daily app", "CAT013"),
    ("Lade dir jetzt die Acme-App herunter", "CAT013"),
    ("Descárgate la aplicación de Acme para iOS y Android", "CAT013"),
    ("Installeer de app van Acme Nieuws", "CAT013"),
    ("This article may contain affiliate links.", "CAT014"),
    ("As an Amazon Associate I earn from qualifying purchases.", "CAT014"),
    ("Hinweis: Wenn du über diese Links einkaufst, erhalten wir eine kleine Provision.", "CAT014"),
    ("Se você comprar pelos nossos links, podemos receber uma comissão.", "CAT014"),
    ("Enjoy the story? Save it for later!", "CAT015"),
    ("Hat dir dieser Artikel gefallen? Dann unterstütze uns als Supporter.", "CAT015"),
    ("Si cet article vous a plu, partagez-le autour de vous.", "CAT015"),
    ("Ti è piaciuto questo articolo? Condividilo con i tuoi amici.", "CAT015"),
    ("Jahresbericht 2023 (PDF, 1,2 MB)", "CAT016"),
    ("Download PDF", "CAT016"),
    ("Beitragsbild via Unsplash", "CAT017"),
    ("Le port de Marseille, photo via Flickr", "CAT017"),
    ("This article is for subscribers only. Subscribe to continue reading.", "CAT012"),
    ("Dieser Artikel ist nur für Abonnenten. Jetzt abonnieren und weiterlesen.", "CAT012"),
    ("Questo articolo è riservato agli abbonati.", "CAT012"),
    ("You have reached your limit of free articles. Subscribe for unlimited access.", "CAT012"),
    ("Jetzt die Acme-App herunterladen", "CAT013"),
    ("Available on the App Store and Google Play", "CAT013"),
    ("Die mit * gekennzeichneten Links sind Affiliate-Links.", "CAT014"),
    ("*Affiliate links: we receive a commission if you buy through them.", "CAT014"),
    ("Cet article vous a plu ? Partagez-le !", "CAT015"),
    ("Si te ha gustado este artículo, compártelo.", "CAT015"),
    ("Was this article helpful?", "CAT015"),
    ("Czy ten artykuł był pomocny?", "CAT015"),
])
def test_paywalls_promos_disclosures_and_reader_prompts_go_in_any_language(cleaner, line, rule):
    # The same check as for labels and notices: the whole cleaner, and the recogniser alone.
    test_labels_notices_and_follow_prompts_go_in_any_language(cleaner, line, rule)


@pytest.mark.parametrize("line", [
    # Real sentences with the same words: a subject before the verb, a clause after, no call to the reader.
    "New subscribers fell by a tenth last year, the company said.",
    "Users can download the app for iOS and Android from Monday, the company said.",
    "If you buy a house through an agent, the agent earns a commission.",
    ("Disclaimer: Our editors test every product on their own. When you shop through our links, "
     "we may earn a commission."),
    "Möchten Sie ein Auto anmelden? Melden Sie sich beim Bürgeramt an.",
    "If you like spicy food, consider adding more chili to the sauce.",
    "Do you like spicy food? Then this recipe is for you.",
    "The report, a PDF of 300 pages, was leaked on Monday.",
    "PDF:",
    "Sie teilte das Bild via Instagram mit ihren Fans.",
    "Photos via satellite show the damage to the dam and the flooded villages.",
    "We may receive a commission of 5 % on the deal, the broker told the court.",
    "Die mit dem Preis ausgezeichneten Forscher veröffentlichten ihre Ergebnisse.",
    "You have reached the limit of what the bridge can carry, the engineer warned.",
    "Available in the App Store from Monday, the app costs two euros.",
    "Do you like working on weekends?",
    "If you like this article's argument, the author's book goes further, he said.",
    "Le projet vous a plu ? Les habitants ont voté contre.",
    "Readers who signed up for email updates got the warning a day earlier, the council said.",
])
def test_sentences_with_the_words_of_paywalls_and_prompts_stay(cleaner, line):
    test_sentences_with_the_labels_words_stay(cleaner, line)


def test_a_paywall_call_in_the_middle_of_an_article_stays(cleaner):
    # The paywall rule reads the last lines only: a line about subscriptions deep in the text is the story's.
    line = "First-time subscribers also receive a welcome gift, the publisher's report said, and many stay a year."
    text = "\n".join([line] + BODY * 5)
    assert cleaner.clean_text(text).text == text


@pytest.mark.parametrize("line", [
    "Lesen Sie auch: Stadtrat verschiebt die Entscheidung über das Hallenbad",
    "À lire aussi : La mairie rouvre la piscine",
    "Leggi anche: Il sindaco riapre la piscina",
    "Lees ook: Gemeente opent zwembad opnieuw",
])
def test_a_read_also_line_with_its_headline_goes_between_paragraphs(cleaner, line):
    assert cleaner.clean_text("\n".join(BODY[:2] + [line] + BODY[2:])).text == "\n".join(BODY)


@pytest.mark.parametrize("line", [
    "Lesen Sie auch: Der Bericht der Kommission zeigt, dass die Zahl der Fälle steigt.",
    "Czytaj także: raport ministerstwa opublikowany we wtorek.",
    "Voir aussi : Dictionnaire des idées reçues",
])
def test_a_read_also_label_before_a_sentence_or_a_cross_reference_stays(cleaner, line):
    text = "\n".join(BODY[:2] + [line] + BODY[2:])
    assert cleaner.clean_text(text).text == text


@pytest.mark.parametrize("line", [
    # A comment system's total (CAT001's vocabulary has the totals) and calls to get updates by e-mail (CAT008).
    "Kommentare insgesamt: 3", "| Kommentare insgesamt: 0 |  |", "Total comments: 12", "Totaal 5 reacties",
    "Sign up for free to get updates from this author.",
    "Melden Sie sich für Benachrichtigungen per E-Mail an",
    "Inscrivez-vous pour recevoir les alertes par e-mail",
    "Regístrate para recibir actualizaciones por correo",
])
def test_comment_totals_and_calls_to_get_updates_by_email_go(cleaner, line):
    test_broader_prompts_and_credits_go(cleaner, line)


# --- a credit's source is a name, not a clause ---------------------------------------------------------

@pytest.mark.parametrize("line, removed", [
    # a sentence that only begins like a credit: its "source" opens with a lower-case word or a number
    ("Dzięki uprzejmości muzeum dzieła zostaną pokazane w Krakowie.", False),
    ("Oorspronkelijk verschenen in 1947 is het boek nu heruitgegeven.", False),
    # a name, then a clause of its own: still a credit
    ("This story first appeared in The Guardian and is republished here with permission.", True),
    ("This post was originally published on example.com and has been republished with permission.", True),
    ("Dzięki uprzejmości portalu Onet", True),
])
def test_a_credit_names_a_source_and_a_sentence_is_kept(cleaner, line, removed):
    result = cleaner.clean_text("\n".join([*BODY, line]))
    assert (line not in result.text.splitlines()) is removed
    assert bool([e for e in result.edits if e.rule == "CAT004"]) is removed
