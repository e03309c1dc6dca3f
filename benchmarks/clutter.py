"""Clutter-injection benchmark: real article bodies with clutter added, cleaned by presswash as text dumps.

Run from the repository root with the project's virtualenv active:

    python benchmarks/clutter.py                      # both parts: figures per part, kind and language
    python benchmarks/clutter.py --show-leaks         # ... and what leaked from the TUNING part
    python benchmarks/clutter.py --json clutter.json  # the figures as JSON, for docs

Each case is one real article body (the fixtures' expected texts, WCXB dev ground truth, trafilatura-eval-dev
"with" snippets by language) with clutter lines injected where sites put them (share rows at the head, ad labels
between paragraphs, footers, attributions, related boxes and comment prompts at the tail, image file names glued
to a paragraph's first word) and look-alike sentences that share the clutter's words and must be kept. The
phrasings are templates in two parts, benchmarks/clutter/tuning*.toml and benchmarks/clutter/heldout.toml. The
held-out part is NEVER tuned on: its leaks are listed only with an explicit ``--part heldout``, for the final
report. Cases are built in memory from a seed (nothing is written unless ``--dump DIR``); the dev sets are read
where they are (../shared/devset), never copied.

Every case goes to presswash as a text dump (``scraper.clean_text``: text input, no language, no URL), and, as
the baseline, to presswash with every rule off (plain trafilatura does not apply to text input). A third row
tells the cleaner the body's language (the language packs apply only to pages whose language is known).

Per part, kind and language it prints: the share of injected clutter lines removed, look-alikes kept (of all),
and content recall (the share of the body's words still in the output). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import tomllib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: import the working copy's packages
    sys.path.insert(0, str(REPO))

PHRASINGS = REPO / "benchmarks" / "clutter"
DEVSETS = REPO.parent / "shared" / "devset"
PARTS = ("tuning", "heldout")
KINDS = ("image", "related", "comments", "attribution", "share", "footer", "newsletter", "follow", "ad",
         "copyright", "readmore")
LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "pl", "nl")
FILL_POOLS = {"name": "names", "date": "dates", "time": "times", "site": "sites", "publisher": "publishers",
              "category": "categories", "handle": "handles", "title": "titles"}

# Where sites put each kind: "head" (after the headline), "between" (two paragraphs), "tail" (after the body),
# "glued" (to the first word of a paragraph, mostly the first).
PLACES = {
    "image": ("glued",), "related": ("tail",), "comments": ("tail",), "attribution": ("tail",),
    "share": ("head", "between", "tail"), "footer": ("tail",), "newsletter": ("between", "tail"),
    "follow": ("between", "tail"), "ad": ("head", "between"), "copyright": ("tail",), "readmore": ("between", "tail"),
}
# The order of tail blocks after the body: the source line first, comments last.
TAIL_ORDER = {"attribution": 0, "copyright": 1, "footer": 2, "readmore": 3, "share": 3, "ad": 3, "follow": 4,
              "newsletter": 4, "related": 5, "comments": 6}
MIN_BODY_WORDS = 60  # a snippet body gathers pages of its language until it has this many words
SYSTEMS = ("presswash", "presswash-language", "rules-off")
# Ablations of issue 11's means, on request (--systems): presswash with one means left out.
ABLATIONS = ("presswash-no-categories", "presswash-no-language-packs", "presswash-no-langid", "presswash-no-runs",
             "presswash-no-learned")
SYSTEM_LABELS = {"presswash": "presswash", "presswash-language": "presswash, language told",
                 "rules-off": "rules off (baseline)", **{name: name.removeprefix("presswash-") for name in ABLATIONS}}

_TOKEN = re.compile(r"\w+")
_SLOT = re.compile(r"\{(\w+)\}")


# ------------------------------------------------------------------------------------------------ the bodies
@dataclass(frozen=True)
class Body:
    """A real article body: paragraphs of article text (no clutter), with its headline when known."""

    source: str
    language: str
    paragraphs: tuple[str, ...]
    title: str | None = None

    @property
    def words(self) -> int:
        return sum(len(_TOKEN.findall(p)) for p in self.paragraphs)


def fixture_bodies(root: Path = REPO) -> list[Body]:
    """The fixtures' clean bodies: the seeds' expected texts (English) and the Dutch council page."""
    bodies = []
    expected = root / "fixtures" / "expected" / "seeds"
    for txt in sorted(expected.glob("*.txt")):
        meta = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
        paragraphs = tuple(ln.strip() for ln in txt.read_text(encoding="utf-8").splitlines() if ln.strip())
        bodies.append(Body(f"fixtures/expected/seeds/{txt.name}", "en", paragraphs, meta.get("title")))
    council = root / "fixtures" / "pages" / "council-budget"
    if council.exists():
        html = council.read_text(encoding="utf-8")
        lang = re.search(r'<html[^>]*\blang="([a-z]{2})', html)
        title = re.search(r"<h1>(.*?)</h1>", html, re.S)
        paragraphs = tuple(" ".join(p.split()) for p in re.findall(r"<p>(.*?)</p>", html, re.S))
        bodies.append(Body("fixtures/pages/council-budget", lang.group(1) if lang else "nl", paragraphs,
                           title.group(1).strip() if title else None))
    return bodies


def _language_of(text: str) -> str:
    """py3langid's best language for the text, with no limits applied: the identifier presswash loads."""
    from scraper.core.language import identifier

    return identifier().classify(text)[0]


def wcxb_bodies(folder: Path) -> list[Body]:
    """WCXB ground-truth article texts (``main_content``), by the language py3langid gives them."""
    bodies = []
    for path in sorted((folder / "ground-truth").glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8")).get("ground_truth") or {}
        content = truth.get("main_content") or ""
        paragraphs = tuple(" ".join(ln.split()) for ln in content.splitlines() if ln.strip())
        body = Body(f"wcxb:{path.stem}", "", paragraphs, (truth.get("title") or "").strip() or None)
        if body.words < MIN_BODY_WORDS:
            continue
        language = _language_of(content[:3000])
        if language in LANGUAGES:
            bodies.append(Body(body.source, language, paragraphs, body.title))
    return bodies


def trafilatura_bodies(folder: Path) -> list[Body]:
    """Bodies from trafilatura-eval-dev: each page's ``with`` snippets joined into one paragraph, the pages of one
    language (py3langid on the snippets) gathered in URL order until a body has MIN_BODY_WORDS words. The
    corpus has no headlines, so these bodies have none (a case gives them one from its part's titles)."""
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    by_language: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for url in sorted(data):
        snippets = [" ".join(s.split()) for s in data[url].get("with", []) if s.strip()]
        if not snippets:
            continue
        paragraph = " ".join(snippets)
        language = _language_of(paragraph)
        if language in LANGUAGES:
            by_language[language].append((data[url].get("file", url), paragraph))
    bodies = []
    for language, pages in sorted(by_language.items()):
        group: list[tuple[str, str]] = []
        made: list[Body] = []
        for page in pages:
            group.append(page)
            if sum(len(_TOKEN.findall(p)) for _, p in group) >= MIN_BODY_WORDS:
                made.append(_snippet_body(language, group))
                group = []
        if group:  # a short remainder joins the last body, or is the language's only body
            if made:
                last = made.pop()
                group = [(f, p) for f, p in zip(last.source.split(":", 1)[1].split(","), last.paragraphs)] + group
            made.append(_snippet_body(language, group))
        bodies += made
    return bodies


def _snippet_body(language: str, pages: list[tuple[str, str]]) -> Body:
    return Body("trafilatura-eval-dev:" + ",".join(f for f, _ in pages), language, tuple(p for _, p in pages))


def load_bodies(wcxb: Path | None, trafilatura: Path | None, warn: Callable[[str], None] = print
                ) -> dict[str, list[Body]]:
    """All bodies by language: the fixtures' always, the dev sets' when their folders exist."""
    bodies = fixture_bodies()
    for folder, loader, marker in ((wcxb, wcxb_bodies, "ground-truth"),
                                   (trafilatura, trafilatura_bodies, "evaldata.json")):
        if folder is None:
            continue
        if not (folder / marker).exists():
            warn(f"note: {folder} has no {marker}; its bodies are left out")
            continue
        bodies += loader(folder)
    out: dict[str, list[Body]] = defaultdict(list)
    for body in bodies:
        out[body.language].append(body)
    return dict(out)


# ------------------------------------------------------------------------------------------------ the phrasings
@dataclass
class PartSpec:
    """One part of the phrasings (tuning or heldout), as its TOML file holds them."""

    name: str
    fills: dict[str, dict[str, list[str]]]
    clutter: dict[str, dict[str, list[str]]]
    lookalikes: dict[str, dict[str, list[str]]]

    @property
    def languages(self) -> list[str]:
        return [lang for lang in LANGUAGES if lang in self.clutter]


def load_part(name: str, folder: Path = PHRASINGS) -> PartSpec:
    """Read ``<folder>/<name>.toml`` and any ``<folder>/<name>-*.toml`` (a retired held-out set joins the tuning
    part that way) as one part; unknown kinds or languages are errors, so a typo does not vanish."""
    paths = [folder / f"{name}.toml", *sorted(folder.glob(f"{name}-*.toml"))]
    spec = PartSpec(name=name, fills={}, clutter={}, lookalikes={})
    for path in paths:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for lang, table in data.items():
            if lang == "part":
                continue
            if lang not in LANGUAGES:
                raise ValueError(f"{path}: unknown language {lang!r} (known: {', '.join(LANGUAGES)})")
            for section in ("clutter", "lookalike"):
                unknown = set(table.get(section, {})) - set(KINDS)
                if unknown:
                    raise ValueError(f"{path}: [{lang}.{section}] has unknown kinds {sorted(unknown)}")
            merge(spec.fills.setdefault(lang, {}), table.get("fill", {}))
            merge(spec.clutter.setdefault(lang, {}), table.get("clutter", {}))
            merge(spec.lookalikes.setdefault(lang, {}), table.get("lookalike", {}))
    return spec


def merge(into: dict[str, list[str]], lists: dict[str, list[str]]) -> None:
    """Append each list's new items to the list of the same key, in order, without repeats."""
    for key, items in lists.items():
        have = into.setdefault(key, [])
        have.extend(item for item in dict.fromkeys(items) if item not in have)


_SLOT_SHAPES = {"n": r"\d+", "n0": r"\d+", "n4": r"\d+", "year": r"\d+", "date": r".*\d.*", "time": r".*\d.*"}


def shape(template: str) -> re.Pattern[str]:
    """A template line as a regex: literal text; a number slot matches digits, a date or time text with a digit,
    any other slot any text."""
    pieces = re.split(r"\{(\w+)\}", " ".join(template.split()).lower())
    return re.compile("".join(re.escape(p) if i % 2 == 0 else _SLOT_SHAPES.get(p, ".+")
                              for i, p in enumerate(pieces)))


def rule_example_lines(rules_dirs: tuple[str, ...] = ()) -> set[str]:
    """Every line of every rule's remove examples, space-normalised and lower-cased."""
    from cleaners.packs import RuleBook

    return {" ".join(line.split()).lower() for rule in RuleBook.load(rules_dirs).rules() for ex in rule.remove
            for line in ex.text.splitlines() if line.strip()}


def without_seen(spec: PartSpec, examples: set[str],
                 tuning: PartSpec | None = None) -> tuple[PartSpec, dict[str, dict[str, int]]]:
    """The part without the phrasings that are no longer unseen, and how many went, by language and kind: those
    a rule's remove example has the shape of (a rule writer has since written them down), and those the
    ``tuning`` part also holds in the same language (written again, independently, as tuning data). They are left
    out of the held-out score rather than counted as generalisation."""
    def plain(template: str) -> str:
        return " ".join(template.split()).casefold()

    clutter: dict[str, dict[str, list[str]]] = {}
    dropped: dict[str, dict[str, int]] = {}
    for lang, kinds in spec.clutter.items():
        clutter[lang] = {}
        known = {plain(t) for ts in (tuning.clutter.get(lang, {}).values() if tuning else ()) for t in ts}
        for kind, templates in kinds.items():
            kept = [t for t in templates if plain(t) not in known
                    and not any(shape(line).fullmatch(e) for line in t.split("\n") for e in examples)]
            clutter[lang][kind] = kept
            if len(kept) < len(templates):
                dropped.setdefault(lang, {})[kind] = len(templates) - len(kept)
    return replace(spec, clutter=clutter), dropped


def slug(text: str) -> str:
    """A file-name slug of a headline's first words: "Storm leaves thousands" -> "storm-leaves-thousands"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text)[:4]) or "image"


def fill(template: str, fills: dict[str, list[str]], rng: random.Random, **given: str) -> str:
    """The template with its slots filled: numbers drawn, names and dates from the language's pools."""
    def one(match: re.Match[str]) -> str:
        slot = match.group(1)
        if slot in given:
            return given[slot]
        if slot == "n":
            return str(rng.randint(1, 250))
        if slot == "n0":
            return str(rng.randint(0, 30))
        if slot == "n4":
            return str(rng.randint(1000, 9999))
        if slot == "year":
            return str(rng.randint(2012, 2025))
        if slot == "slug":
            return slug(rng.choice(fills["titles"]))
        pool = FILL_POOLS.get(slot.rstrip("0123456789"))
        if pool is None or not fills.get(pool):
            raise ValueError(f"template {template!r}: no values for the slot {{{slot}}}")
        return rng.choice(fills[pool])
    return _SLOT.sub(one, template)


# ------------------------------------------------------------------------------------------------ the cases
@dataclass(frozen=True)
class Item:
    """One injected line (or, for kind "image", one glued file name), recorded with its kind."""

    kind: str
    text: str
    role: str  # "clutter" or "lookalike"
    place: str  # head | between | tail | glued
    template: str  # the phrasing it was made from
    teaser: bool = False  # a teaser headline under a related-posts heading
    block: int = 0  # the lines of one injected phrasing (a heading and its teasers, a share row) share it


@dataclass
class Case:
    id: str
    part: str
    language: str
    body: Body
    title: str
    text: str
    items: list[Item] = field(default_factory=list)

    @property
    def clutter(self) -> list[Item]:
        return [i for i in self.items if i.role == "clutter"]

    @property
    def lookalikes(self) -> list[Item]:
        return [i for i in self.items if i.role == "lookalike"]


def build_part(spec: PartSpec, bodies: dict[str, list[Body]], seed: int = 11, repeats: int = 3) -> list[Case]:
    """The part's cases: every phrasing used ``repeats`` times (different bodies, slot values and places), 2-4
    clutter kinds per case, the look-alikes spread over the cases. Deterministic for a seed."""
    cases: list[Case] = []
    for lang in spec.languages:
        if not bodies.get(lang):
            continue
        rng = random.Random(f"{seed}:{spec.name}:{lang}")
        deck = [(kind, i) for kind in KINDS for i in range(len(spec.clutter[lang].get(kind, [])))] * repeats
        rng.shuffle(deck)
        looks = [(kind, i) for kind in KINDS for i in range(len(spec.lookalikes[lang].get(kind, [])))] * repeats
        rng.shuffle(looks)
        hands: list[list[tuple[str, int]]] = []
        while deck:
            want, hand, kinds, i = rng.randint(2, 4), [], set(), 0
            while i < len(deck) and len(hand) < want:
                if deck[i][0] in kinds:
                    i += 1
                    continue
                kinds.add(deck[i][0])
                hand.append(deck.pop(i))
            hands.append(hand)
        hand_looks: list[list[tuple[str, int]]] = [[] for _ in hands]
        for j, look in enumerate(looks):
            hand_looks[j % len(hands)].append(look)
        pool = list(bodies[lang])
        rng.shuffle(pool)
        for n, (hand, look) in enumerate(zip(hands, hand_looks)):
            case_id = f"{spec.name}-{lang}-{n:03d}"
            cases.append(_make_case(case_id, spec, lang, pool[n % len(pool)], hand, look, rng))
    return cases


def _make_case(case_id: str, spec: PartSpec, lang: str, body: Body, hand: list[tuple[str, int]],
               looks: list[tuple[str, int]], rng: random.Random) -> Case:
    fills = spec.fills[lang]
    title = body.title or rng.choice(fills["titles"])
    paragraphs = list(body.paragraphs)
    items: list[Item] = []
    head: list[Item] = []
    gaps: dict[int, list[Item]] = defaultdict(list)  # before paragraph i (1 .. len-1)
    tail: list[tuple[int, float, list[Item]]] = []
    glued: dict[int, str] = {}
    for kind, index in hand:
        template = spec.clutter[lang][kind][index]
        if kind == "image":
            name = fill(template, fills, rng)
            where = 0 if len(paragraphs) < 2 or rng.random() < 0.7 else rng.randrange(1, len(paragraphs))
            glued[where] = name
            items.append(Item(kind, name.strip(), "clutter", "glued", template, block=len(items)))
            continue
        place = rng.choice(PLACES[kind])
        if place == "between" and len(paragraphs) < 2:
            place = "tail"
        number = len(items)
        block = [Item(kind, line.strip(), "clutter", place, template, block=number)
                 for line in fill(template, fills, rng).split("\n") if line.strip()]
        if kind == "related":
            others = [t for t in fills["titles"] if t != title]
            for headline in rng.sample(others, min(len(others), rng.randint(2, 4))):
                teaser = fill(rng.choice(fills.get("teaser", ["{title}"])), fills, rng, title=headline)
                block += [Item(kind, line.strip(), "clutter", place, template, teaser=True, block=number)
                          for line in teaser.split("\n") if line.strip()]
        items += block
        if place == "head":
            head += block
        elif place == "between":
            gaps[rng.randrange(1, len(paragraphs))] += block
        else:
            tail.append((TAIL_ORDER[kind], rng.random(), block))
    look_gaps: dict[int, list[Item]] = defaultdict(list)  # before paragraph i (0 .. len; len: after the last)
    for kind, index in looks:
        sentence = spec.lookalikes[lang][kind][index]
        where = rng.randint(0, len(paragraphs))
        place = "head" if where == 0 else "tail" if where == len(paragraphs) else "between"
        item = Item(kind, sentence, "lookalike", place, sentence, block=len(items))
        look_gaps[where].append(item)
        items.append(item)
    lines = [title] + [i.text for i in head]
    for n, paragraph in enumerate(paragraphs):
        lines += [i.text for i in look_gaps[n]] + [i.text for i in gaps[n]]
        lines.append(glued.get(n, "") + paragraph)
    lines += [i.text for i in look_gaps[len(paragraphs)]]
    for _, _, block in sorted(tail, key=lambda t: (t[0], t[1])):
        lines += [i.text for i in block]
    separator = rng.choice(("\n", "\n\n"))
    return Case(case_id, spec.name, lang, body, title, separator.join(lines), items)


def strip_injections(case: Case) -> list[str]:
    """The case's text with every recorded injection taken out: its headline and body paragraphs again (the
    bookkeeping's own check)."""
    remaining = Counter(i.text for i in case.items if i.place != "glued")
    names = [i.text for i in case.items if i.place == "glued"]
    out = []
    for line in case.text.split("\n"):
        if not line.strip():
            continue
        if remaining[line] > 0:
            remaining[line] -= 1
            continue
        for name in names:
            if line.startswith(name):
                line = line[len(name):].lstrip(" ") if line[len(name):len(name) + 1] == " " else line[len(name):]
                break
        out.append(line)
    return out


# ------------------------------------------------------------------------------------------------ scoring
def _norm(text: str) -> str:
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


@dataclass
class Outcome:
    """What one system's output made of one case's injections."""

    case: Case
    leaked: list[Item]  # clutter still in the output
    removed: list[Item]
    kept: list[Item]  # look-alikes still in the output
    lost: list[Item]  # look-alikes removed
    body_words: int
    body_words_kept: int
    cut: list[str] = field(default_factory=list)  # body paragraphs not whole in the output


def _take(lines: Counter[str], text: str) -> bool:
    """Take one line equal to ``text`` (whitespace collapsed) out of ``lines``; whether there was one."""
    key = _norm(text)
    if lines[key] > 0:
        lines[key] -= 1
        return True
    return False


def score_case(case: Case, output: str) -> Outcome:
    """Score one output. A clutter line leaked when the output still has it as a line (whitespace collapsed); a
    glued file name leaked when the output still holds it. A look-alike was kept when it is still a line of its
    own, whole. Content recall matches the body's words (lower-case \\w+, as multisets) against the output's
    words once the leaked clutter, the look-alikes and the headline line are taken out of it."""
    remaining = Counter(_norm(line) for line in output.splitlines() if line.strip())
    leaked, removed, kept, lost = [], [], [], []
    for item in case.clutter:
        if item.place == "glued":
            (leaked if item.text in output else removed).append(item)
            continue
        (leaked if _take(remaining, item.text) else removed).append(item)
    for item in case.lookalikes:
        (kept if _take(remaining, item.text) else lost).append(item)
    _take(remaining, case.title)
    rest = "\n".join(line for line, count in remaining.items() for _ in range(count))
    for item in leaked:
        if item.place == "glued":
            rest = rest.replace(item.text, " ", 1)
    body = Counter(t for p in case.body.paragraphs for t in tokens(p))
    matched = body & Counter(tokens(rest))
    flat = _norm(output)
    cut = [p for p in case.body.paragraphs if _norm(p) not in flat]
    return Outcome(case, leaked, removed, kept, lost, sum(body.values()), sum(matched.values()), cut)


@dataclass
class Tally:
    cases: int = 0
    items: int = 0  # injected phrasings (a related box with its teasers is one)
    items_removed: int = 0  # every line of it removed
    lines: int = 0
    removed: int = 0
    lookalikes: int = 0
    kept: int = 0
    words: int = 0
    words_kept: int = 0

    def add_case(self, outcome: Outcome, kind: str | None = None) -> None:
        self.cases += 1
        blocks: dict[int, bool] = {}
        for item in outcome.leaked:
            if kind in (None, item.kind):
                blocks[item.block] = False
        for item in outcome.removed:
            if kind in (None, item.kind):
                blocks.setdefault(item.block, True)
        self.items += len(blocks)
        self.items_removed += sum(blocks.values())
        self.lines += sum(1 for i in outcome.leaked + outcome.removed if kind in (None, i.kind))
        self.removed += sum(1 for i in outcome.removed if kind in (None, i.kind))
        self.lookalikes += sum(1 for i in outcome.kept + outcome.lost if kind in (None, i.kind))
        self.kept += sum(1 for i in outcome.kept if kind in (None, i.kind))
        self.words += outcome.body_words
        self.words_kept += outcome.body_words_kept

    @property
    def items_share(self) -> float | None:
        return self.items_removed / self.items if self.items else None

    @property
    def removed_share(self) -> float | None:
        return self.removed / self.lines if self.lines else None

    @property
    def recall(self) -> float | None:
        return self.words_kept / self.words if self.words else None

    def to_json(self) -> dict[str, Any]:
        return {"cases": self.cases, "clutter_items": self.items, "items_removed": self.items_removed,
                "items_removed_share": _round(self.items_share), "clutter_lines": self.lines, "removed": self.removed,
                "removed_share": _round(self.removed_share), "lookalikes": self.lookalikes, "lookalikes_kept": self.kept,
                "body_words": self.words, "body_words_kept": self.words_kept, "content_recall": _round(self.recall, 4)}


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def summarize(outcomes: Iterable[Outcome]) -> dict[str, Any]:
    """Tallies over all cases, by clutter kind (the cases holding that kind's clutter or look-alikes; recall over
    those cases) and by language."""
    total, kinds, languages = Tally(), defaultdict(Tally), defaultdict(Tally)
    for outcome in outcomes:
        total.add_case(outcome)
        languages[outcome.case.language].add_case(outcome)
        for kind in sorted({i.kind for i in outcome.case.items}):
            kinds[kind].add_case(outcome, kind)
    return {"all": total, "kinds": {k: kinds[k] for k in KINDS if k in kinds},
            "languages": {lang: languages[lang] for lang in LANGUAGES if lang in languages}}


# ------------------------------------------------------------------------------------------------ the systems
def make_systems(names: Iterable[str] = SYSTEMS, rules_dirs: tuple[str, ...] = ()) -> dict[str, Callable[[Case], str]]:
    """Each system turns a case into output text. presswash: the library on text input (``clean_text``, as a
    saved text dump is cleaned); presswash-language: the same cleaner told the body's language; rules-off: the
    same call with every rule off (the baseline)."""
    from scraper import Options, Processor, clean_text
    from scraper.core.process import leading_headline

    options = Options(rules_dirs=rules_dirs)
    off = Options(rules_dirs=rules_dirs, dom_rules=False, text_rules=False)

    def library(opts: Options) -> Callable[[Case], str]:
        def run(case: Case) -> str:
            outcome = clean_text(case.text, options=opts)
            return outcome.text if outcome.ok else ""
        return run

    cleaner = None

    def language_told(case: Case) -> str:
        nonlocal cleaner
        if cleaner is None:
            cleaner = Processor(options).cleaner
        return cleaner.clean_text(case.text, title=leading_headline(case.text), language=case.language).text

    from scraper.evaluation.systems import pipeline_options

    known = {"presswash": library(options), "presswash-language": language_told, "rules-off": library(off),
             **{name: library(pipeline_options(name, rules_dirs)) for name in ABLATIONS}}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown systems {unknown}; known: {', '.join(known)}")
    return {n: known[n] for n in names}


def run_part(cases: list[Case], systems: dict[str, Callable[[Case], str]]
             ) -> tuple[dict[str, list[Outcome]], dict[str, float]]:
    outcomes: dict[str, list[Outcome]] = {}
    seconds: dict[str, float] = {}
    for name, system in systems.items():
        start = time.perf_counter()
        outcomes[name] = [score_case(case, system(case)) for case in cases]
        seconds[name] = time.perf_counter() - start
    return outcomes, seconds


# ------------------------------------------------------------------------------------------------ reports
def _percent(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.1f}%"


def _cell(t: Tally) -> str:
    share = f"{_percent(t.items_share)} / {_percent(t.removed_share)}"
    looks = f"{t.kept}/{t.lookalikes}" if t.lookalikes else "—"
    recall = "—" if t.recall is None else f"{t.recall:.4f}"
    return f"{share} · {looks} · {recall}"


def table(summaries: dict[str, dict[str, Any]], section: str) -> list[str]:
    """A Markdown table: one row per kind or language (or one row "all"), one column per system; a cell holds
    clutter removed (items / lines) · look-alikes kept/total · content recall."""
    systems = list(summaries)
    first = summaries[systems[0]]
    keys = ["all"] if section == "all" else list(first[section])
    label = {"all": "part", "kinds": "kind", "languages": "language"}[section]
    out = [f"| {label} | cases | clutter items (lines) | look-alikes | " + " | ".join(SYSTEM_LABELS[s] for s in systems) + " |",
           "|---|---|---|---|" + "---|" * len(systems)]
    for key in keys:
        tallies = [summaries[s]["all"] if section == "all" else summaries[s][section][key] for s in systems]
        t0 = tallies[0]
        out.append(f"| {key} | {t0.cases} | {t0.items} ({t0.lines}) | {t0.lookalikes} | " + " | ".join(_cell(t) for t in tallies) + " |")
    return out


def leak_report(part: str, outcomes: list[Outcome], system: str) -> list[str]:
    """What leaked, grouped by kind, then by phrasing (leaked/used), with the look-alikes the system removed."""
    used: Counter[tuple[str, str, str]] = Counter()
    leaks: Counter[tuple[str, str, str]] = Counter()
    teaser_leaks: Counter[str] = Counter()
    lost: Counter[tuple[str, str, str]] = Counter()
    for outcome in outcomes:
        lang = outcome.case.language
        for item in outcome.leaked + outcome.removed:
            if item.teaser:
                continue
            used[(item.kind, lang, item.template)] += 1
        for item in outcome.leaked:
            if item.teaser:
                teaser_leaks[item.kind] += 1
            else:
                leaks[(item.kind, lang, item.template)] += 1
        for item in outcome.lost:
            lost[(item.kind, lang, item.text)] += 1
    out = [f"Leaks of the {part} part ({SYSTEM_LABELS[system]}), by kind: phrasing template, lines leaked of used"]
    for kind in KINDS:
        rows = sorted((k for k in leaks if k[0] == kind), key=lambda k: (k[1], -leaks[k], k[2]))
        if not rows and not teaser_leaks[kind]:
            continue
        total = sum(leaks[k] for k in rows)
        out.append(f"  {kind}: {total} lines leaked" + (f" (+{teaser_leaks[kind]} teaser lines)" if teaser_leaks[kind] else ""))
        for key in rows:
            out.append(f"    [{key[1]}] {leaks[key]}/{used[key]}  {key[2]!r}")
    if lost:
        out.append("  look-alikes removed (must be kept):")
        for key in sorted(lost):
            out.append(f"    [{key[1]}] {key[0]}: {lost[key]}×  {key[2]!r}")
    cut = [(o.case, p) for o in outcomes for p in o.cut]
    if cut:
        out.append(f"  body paragraphs removed or cut ({len(cut)}; content recall):")
        for case, paragraph in cut[:40]:
            out.append(f"    {case.id} ({case.body.source}): {paragraph[:100]!r}")
    if len(out) == 1:
        out.append("  nothing leaked")
    return out


def dump(cases: list[Case], folder: Path) -> None:
    """Each case as <folder>/<part>/<id>.txt, its bookkeeping as <id>.json: for inspection only."""
    for case in cases:
        target = folder / case.part
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{case.id}.txt").write_text(case.text + "\n", encoding="utf-8")
        record = {"id": case.id, "language": case.language, "body": case.body.source, "title": case.title,
                  "items": [vars(i) for i in case.items]}
        (target / f"{case.id}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("tuning", "heldout", "both"), default=None,
                        help="the part(s) to score (default: both). --show-leaks and --dump use the tuning part; "
                             "only --part heldout lists the held-out part's leaks: for the final report, not for "
                             "tuning")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeats", type=int, default=3, help="how many cases use each phrasing (default 3)")
    parser.add_argument("--wcxb", type=Path, default=DEVSETS / "wcxb-dev-articles", help="WCXB dev set folder")
    parser.add_argument("--trafilatura", type=Path, default=DEVSETS / "trafilatura-eval-dev",
                        help="trafilatura-eval-dev folder")
    parser.add_argument("--no-devsets", action="store_true", help="fixtures' bodies only (English and Dutch)")
    parser.add_argument("--rules", action="append", default=[], metavar="DIR", help="add a folder of packs")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma-separated; default {','.join(SYSTEMS)}; ablations: {','.join(ABLATIONS)}")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON (no leak texts)")
    parser.add_argument("--show-leaks", action="store_true",
                        help="list what leaked, by kind and phrasing (tuning part unless --part heldout)")
    parser.add_argument("--dump", type=Path, metavar="DIR", help="write the cases as text files, for inspection")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    scored = list(PARTS) if args.part in (None, "both") else [args.part]
    inspected = ["heldout"] if args.part == "heldout" else ["tuning"]  # held-out leaks only when named alone
    warn = lambda msg: print(msg, file=sys.stderr)  # noqa: E731
    if args.no_devsets:
        bodies = load_bodies(None, None, warn)
    else:
        bodies = load_bodies(args.wcxb, args.trafilatura, warn)
    systems = make_systems([s.strip() for s in args.systems.split(",") if s.strip()], tuple(args.rules))
    loaded = time.perf_counter() - started

    missing = [lang for lang in LANGUAGES if not bodies.get(lang)]
    print(f"Clutter-injection benchmark: seed {args.seed}, each phrasing used {args.repeats}×. Bodies: "
          + ", ".join(f"{lang} {len(bodies[lang])}" for lang in LANGUAGES if bodies.get(lang))
          + (f"; no bodies for {', '.join(missing)} (left out)" if missing else "") + ".")
    print("A cell: clutter removed, as items / as lines (an item is one injected phrasing: a related box with its "
          "teasers, a share row) · look-alikes kept/total · content recall (share of the body's words kept).")
    report: dict[str, Any] = {"seed": args.seed, "repeats": args.repeats, "systems": list(systems),
                              "bodies": {lang: len(bodies.get(lang, [])) for lang in LANGUAGES},
                              "missing_languages": missing, "parts": {}}
    all_cases = []
    examples = rule_example_lines(tuple(args.rules))
    for part in scored:
        spec = load_part(part)
        if part == "heldout":
            spec, seen = without_seen(spec, examples, load_part("tuning"))
            report["heldout_seen"] = seen
            count = sum(n for kinds in seen.values() for n in kinds.values())
            print(f"\nHeld-out phrasings left out because a rule's remove example now has their shape or the tuning "
                  f"part holds them too: {count}"
                  + (" (" + ", ".join(f"{lang} {kind} {n}" for lang, kinds in seen.items()
                                      for kind, n in kinds.items()) + ")" if count else ""))
        cases = build_part(spec, bodies, args.seed, args.repeats)
        all_cases += cases
        outcomes, seconds = run_part(cases, systems)
        summaries = {name: summarize(outs) for name, outs in outcomes.items()}
        print(f"\n## {part}: {len(cases)} cases\n")
        for section in ("all", "kinds", "languages"):
            print("\n".join(table(summaries, section)) + "\n")
        print("seconds: " + ", ".join(f"{SYSTEM_LABELS[n]} {s:.1f}" for n, s in seconds.items()))
        report["parts"][part] = {
            "cases": len(cases), "seconds": {n: round(s, 2) for n, s in seconds.items()},
            "systems": {n: {"all": s["all"].to_json(), "kinds": {k: t.to_json() for k, t in s["kinds"].items()},
                            "languages": {k: t.to_json() for k, t in s["languages"].items()}}
                        for n, s in summaries.items()}}
        if args.show_leaks and part in inspected:
            for name in systems:
                if name != "rules-off":
                    print("\n" + "\n".join(leak_report(part, outcomes[name], name)))
    if args.show_leaks and "heldout" in scored and "heldout" not in inspected:
        print("\n(held-out leaks are not listed: they are for the final report, with --part heldout, never for "
              "tuning)")
    if args.dump:
        dump([c for c in all_cases if c.part in inspected], args.dump)
        print(f"\ncases written to {args.dump} ({', '.join(p for p in scored if p in inspected)})")
    total = time.perf_counter() - started
    report["seconds"] = {"loading": round(loaded, 2), "total": round(total, 2)}
    print(f"\nrun time {total:.1f} s (loading bodies and rules {loaded:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
