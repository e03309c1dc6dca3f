"""Rule packs: TOML files of rules, how a pack recognises the pages it is for, and the rule book.

A pack applies to a page when:
- it has no ``detect`` table and no ``domains`` (the generic pack, say): always;
- it lists ``domains`` (a site pack): the page's host is one of them or a subdomain;
- it has a ``detect`` table (a CMS pack): one of its ``html`` patterns occurs in the page source, or one
  of its ``lines`` patterns matches a whole line of the extracted text.

A pack that lists ``languages`` (ISO 639 codes, "de") applies, on top of that, only to pages whose language
is known and whose primary subtag ("de" of "de-AT") is one of them.

A rule marked ``signature = true`` removes a line that is itself proof of its pack's CMS (Blogger's share
row, Jetpack's "Share this:"): it runs on every page, detected or not, and when it fires it switches the
rest of its pack on. The pack's other rules need that context (a detect match, or a signature that fired).

A pack's ``[vocabulary]`` table holds named word lists; a pattern names one as ``{{name}}`` and a
``token-line`` recogniser reads its classes from it, so a recogniser's words are data.

A pack with rules declares the ``prefix`` its rule ids start with ("GEN" for GEN001, GEN002…), so an id
prefix given to --select or --ignore names one pack's rules. User packs (--rules) and mined packs run their
rules' examples when they load (cleaners/examples.py); the built-in packs' examples are run by the tests.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from . import linescore  # noqa: F401  (registers the line-score kind in KINDS)
from .examples import check_rules
from .literals import AnyLiteral, branch_literal_runs, ignorecase_lower, max_width, required_literals
from .rules import KINDS, Example, Rule, RuleError, check_backtracking, expand_vocabulary, parse_vocabulary

_RULE_COMMON = {"id", "name", "kind", "why", "remove", "keep"}
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
_PREFIX = re.compile(r"[A-Z][A-Z0-9]*")


def _one_regex(patterns: Iterable[re.Pattern[str]]) -> re.Pattern[str]:
    """Case-insensitive patterns as one alternation: one scan instead of one per pattern."""
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)


def primary_language(language: str | None) -> str | None:
    """The primary subtag of a language tag, lower-cased: "de-AT", "de_at" and "DE" all give "de"."""
    if not language:
        return None
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower() or None


@dataclass
class Pack:
    name: str
    description: str = ""
    origin: str = ""
    prefix: str = ""  # every rule id of the pack starts with it
    domains: tuple[str, ...] = ()
    detect_html: tuple[re.Pattern[str], ...] = ()
    detect_lines: tuple[re.Pattern[str], ...] = ()
    languages: frozenset[str] = frozenset()
    rules: list[Rule] = field(default_factory=list)
    vocabulary: dict[str, tuple[str, ...]] = field(default_factory=dict)
    signatures_only: bool = False  # a view of a CMS pack that was not detected: its signature rules alone
    runs_last: bool = False  # its rules run after other packs' rules of the same kind (recognisers)
    _signature: re.Pattern[str] | None = field(default=None, repr=False, compare=False)
    _literals: tuple[str, ...] | None = field(default=None, repr=False, compare=False)
    _line_detector: re.Pattern[str] | None = field(default=None, repr=False, compare=False)
    _runs: tuple[tuple[str, ...], ...] | None = field(default=None, repr=False, compare=False)
    _line_width: int | None = field(default=None, repr=False, compare=False)  # the longest line it matches

    @property
    def html_signature(self) -> re.Pattern[str] | None:
        """All ``detect.html`` patterns as one regex: one scan of the page source per pack."""
        if not self.detect_html:
            return None
        if self._signature is None:
            self._signature = _one_regex(self.detect_html)
        return self._signature

    def html_detected(self, html_sample: str, lowered: str, present: frozenset[str] | None = None,
                      folded: str | None = None) -> bool:
        """Whether a ``detect.html`` pattern occurs in the page source. Each pattern's required literals are
        looked for first with a plain substring test on the lower-cased source, which rules most pages out
        without running the (case-insensitive, slower) regex; then every plain run of some branch must be
        there too ("content=" and "blogger" of ``content=["']blogger["']``: "content=" alone is on most
        pages). ``present``: which of the pack's literals and runs the lower-cased source holds, when the rule
        book found them for all packs at once (``RuleBook._detected_by_html``); ``folded``: the source as
        ``ignorecase_lower`` gives it, when known."""
        signature = self.html_signature
        if signature is None:
            return False
        literals, branches = self.html_literals(), self.html_runs()
        if literals and not any((lit in present) if present is not None else (lit in lowered) for lit in literals):
            return False
        if branches:  # no branch has all its plain runs in the source: the regex cannot match
            folded = ignorecase_lower(html_sample, lowered) if folded is None else folded
            if present is not None and folded is lowered:
                if not any(all(run in present for run in runs) for runs in branches):
                    return False
            elif not any(all(run in folded for run in runs) for runs in branches):
                return False
        return signature.search(html_sample) is not None

    def html_literals(self) -> tuple[str, ...]:
        """The lower-cased literals one of which the source holds where a ``detect.html`` pattern occurs
        (empty: no such set)."""
        if self._literals is None:
            found = [required_literals(p.pattern) for p in self.detect_html]
            self._literals = () if any(f is None for f in found) else tuple(
                lit.lower() for f in found for lit in f)
        return self._literals

    def html_runs(self) -> tuple[tuple[str, ...], ...]:
        """For each branch of the ``detect.html`` patterns, the runs a match holds (``_detect_runs``)."""
        if self._runs is None:
            self._runs = _detect_runs(self.detect_html)
        return self._runs

    @property
    def always(self) -> bool:
        return not self.domains and not self.detect_html and not self.detect_lines

    def signature_view(self) -> "Pack | None":
        """The pack with its signature rules alone, for pages it was not chosen for; None when it has none
        (or applies to every page anyway)."""
        rules = [r for r in self.rules if r.signature]
        if not rules or self.always:
            return None
        return replace(self, rules=rules, signatures_only=True, _signature=None, _literals=None, _runs=None)

    def fits_language(self, primary: str | None) -> bool:
        """Whether the pack may apply to a page in this language (a primary subtag, see
        ``primary_language``). A pack without ``languages`` fits every page, one with them only a page
        whose language is known and listed."""
        return not self.languages or primary in self.languages

    def matches_host(self, hostname: str | None) -> bool:
        if not hostname or not self.domains:
            return False
        host = hostname.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def detected_in_lines(self, lines: Iterable[str]) -> bool:
        """Whether a ``detect.lines`` pattern matches a whole line of the text (the source is checked by
        ``html_detected``). The patterns are tried as one regex per line."""
        return self.detected_in_stripped([line.strip() for line in lines])

    def detected_in_stripped(self, stripped: list[str]) -> bool:
        """``detected_in_lines`` for lines already stripped. A line longer than the longest match of the
        patterns (most lines of a text: they are short labels) is not tried."""
        if not self.detect_lines:
            return False
        if self._line_detector is None:
            self._line_detector = _one_regex(self.detect_lines)
            self._line_width = max_width(self._line_detector.pattern, re.IGNORECASE)
        fullmatch, width = self._line_detector.fullmatch, self._line_width
        if width is None:
            return any(fullmatch(line) for line in stripped)
        return any(fullmatch(line) for line in stripped if len(line) <= width)


def _detect_runs(patterns: Iterable[re.Pattern[str]]) -> tuple[tuple[str, ...], ...]:
    """For each branch of the patterns, its ASCII runs of plain characters, lower-cased: a case-insensitive
    match of the branch holds them all (``ignorecase_lower``). Empty when some branch has none (no check)."""
    out = []
    for pattern in patterns:
        branches = branch_literal_runs(pattern.pattern)
        if branches is None:
            return ()
        for runs in branches:
            ascii_runs = tuple(run.lower() for run in runs if run.isascii())
            if not ascii_runs:
                return ()
            out.append(ascii_runs)
    return tuple(out)


def parse_pack(data: dict[str, Any], origin: str) -> Pack:
    """Build a pack from parsed TOML; every error names the file and the rule."""
    head = data.get("pack")
    if not isinstance(head, dict) or not isinstance(head.get("name"), str):
        raise RuleError(f"{origin}: a pack needs a [pack] table with a name")
    detect = head.get("detect", {}) or {}
    try:
        detect_html = tuple(re.compile(p, re.IGNORECASE) for p in detect.get("html", []))
        detect_lines = tuple(re.compile(p, re.IGNORECASE) for p in detect.get("lines", []))
    except re.error as exc:
        raise RuleError(f"{origin}: bad detect pattern: {exc}") from None
    for pattern in detect_html + detect_lines:
        check_backtracking(pattern.pattern, f"{origin}: detect pattern")
    vocabulary = parse_vocabulary(data.get("vocabulary"), origin)
    pack = Pack(
        name=head["name"],
        vocabulary=vocabulary,
        description=head.get("description", ""),
        origin=origin,
        domains=tuple(d.lower().lstrip(".") for d in head.get("domains", [])),
        detect_html=detect_html,
        detect_lines=detect_lines,
        languages=_parse_languages(head.get("languages"), origin),
        runs_last=_parse_flag(head.get("runs_last", False), "runs_last", origin),
        prefix=_parse_prefix(head.get("prefix"), origin),
    )
    for raw in data.get("rule", []):
        pack.rules.append(parse_rule(raw, pack.name, origin, vocabulary))
    if pack.rules and not pack.prefix:
        # A pack written before packs declared their prefix (a user's pack, a site pack mined into a store)
        # still loads when its ids share one stem: that stem is its prefix.
        stems = {_leading_capitals(rule.id) for rule in pack.rules}
        if len(stems) == 1 and "" not in stems:
            pack.prefix = stems.pop()
        else:
            first = pack.rules[0].id
            raise RuleError(f"{origin}: the [pack] table needs a 'prefix' that every rule id starts with, like "
                            f"prefix = \"{_leading_capitals(first) or 'ABC'}\" for rule {first}")
    for rule in pack.rules:
        if not rule.id.startswith(pack.prefix):
            raise RuleError(f"{origin}: rule {rule.id}: the id does not start with the pack's prefix "
                            f"{pack.prefix!r}")
    return pack


def _parse_flag(raw: Any, key: str, origin: str) -> bool:
    if not isinstance(raw, bool):
        raise RuleError(f"{origin}: '{key}' must be true or false, not {raw!r}")
    return raw


def _parse_prefix(raw: Any, origin: str) -> str:
    """The ``prefix`` of a pack header: capital letters and digits, starting with a letter ("GEN", "M1A2B3C")."""
    if raw is None:
        return ""
    if not isinstance(raw, str) or not _PREFIX.fullmatch(raw):
        raise RuleError(f"{origin}: 'prefix' must be capital letters and digits starting with a letter, like "
                        f"\"GEN\", not {raw!r}")
    return raw


def _leading_capitals(rule_id: str) -> str:
    """The prefix a rule id suggests: the id without its number ("GEN" of GEN001)."""
    stem = re.sub(r"[-_]?\d+$", "", rule_id)
    return stem if _PREFIX.fullmatch(stem) else ""


def check_examples(pack: Pack) -> Pack:
    """The pack, once every rule's examples did what they say; else a RuleError naming the file, the rule
    and the example (all failing examples, one a line)."""
    failures = check_rules(pack.rules)
    if failures:
        raise RuleError(f"{pack.origin}: rule " + f"\n{pack.origin}: rule ".join(map(str, failures)))
    return pack


def _parse_languages(raw: Any, origin: str) -> frozenset[str]:
    """The ``languages`` of a pack header: a non-empty list of lower-case ISO 639 codes ("de", "fr")."""
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not raw:
        raise RuleError(f"{origin}: 'languages' must be a non-empty list of language codes, like [\"de\"], "
                        f"not {raw!r}")
    for code in raw:
        if not isinstance(code, str) or not _LANGUAGE_CODE.fullmatch(code):
            raise RuleError(f"{origin}: bad language {code!r} in 'languages': give ISO 639 codes of two or "
                            "three lower-case letters, like \"de\" (no region: \"de\", not \"de-AT\")")
    return frozenset(raw)


_TYPE_NAMES = {str: "string", int: "whole number", float: "number", bool: "true or false"}


def _param_type(cls: type[Rule], key: str) -> type | None:
    """The TOML type a rule parameter takes: its default's type; a parameter without a default is a string."""
    f = cls.__dataclass_fields__[key]
    if f.default is MISSING:
        return None if f.default_factory is not MISSING else str
    return type(f.default) if type(f.default) in _TYPE_NAMES else None


def parse_rule(raw: dict[str, Any], pack_name: str, origin: str,
               vocabulary: dict[str, tuple[str, ...]] | None = None) -> Rule:
    rid = raw.get("id", "?")
    where = f"{origin}: rule {rid}"
    for key in ("id", "name", "kind", "why"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise RuleError(f"{where}: '{key}' is required")
    cls = KINDS.get(raw["kind"])
    if cls is None:
        raise RuleError(f"{where}: unknown kind {raw['kind']!r}; known kinds: {', '.join(sorted(KINDS))}")
    params = {k: v for k, v in raw.items() if k not in _RULE_COMMON}
    allowed = {f.name for f in fields(cls) if f.init} - _RULE_COMMON - {"pack", "vocabulary"}
    unknown = set(params) - allowed
    if unknown:
        raise RuleError(f"{where}: unknown parameter(s) {', '.join(sorted(unknown))} for kind {cls.kind}")
    for key, value in params.items():
        expected = _param_type(cls, key)
        if expected is not None and not (type(value) is expected or (expected is float and type(value) is int)):
            raise RuleError(f"{where}: '{key}' must be a {_TYPE_NAMES[expected]}, not {value!r}")
    for key in ("remove", "keep"):
        if not isinstance(raw.get(key, []), list):
            raise RuleError(f"{where}: '{key}' must be a list of examples")
    if not raw.get("remove"):
        raise RuleError(f"{where}: a rule needs at least one 'remove' example")
    remove = tuple(Example.parse(e, where) for e in raw.get("remove", []))
    keep = tuple(Example.parse(e, where) for e in raw.get("keep", []))
    written = params.get("pattern")
    if isinstance(written, str):
        params["pattern"] = expand_vocabulary(written, vocabulary or {}, where)
    if "vocabulary" in cls.__dataclass_fields__:
        params["vocabulary"] = dict(vocabulary or {})
    try:
        rule = cls(id=raw["id"], name=raw["name"], why=raw["why"], pack=pack_name, remove=remove, keep=keep,
                   **params)
        if isinstance(written, str) and written != params["pattern"] and hasattr(rule, "written"):
            rule.written = written  # shown by `presswash rules ID`, with the vocabulary names
        return rule
    except TypeError as exc:
        raise RuleError(f"{where}: {exc}") from None
    except RuleError as exc:  # raised by the rule itself ("GEN001: bad pattern …"): add the file
        raise RuleError(f"{origin}: rule {exc}") from None


def _pack_from_text(text: str, origin: str) -> Pack:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{origin}: cannot read pack: {exc}") from None
    return parse_pack(data, origin)


def parse_pack_text(text: str, origin: str) -> Pack:
    """Build a pack from TOML text (a mined pack kept in a store, say) and run its examples; every error
    names ``origin``."""
    return check_examples(_pack_from_text(text, origin))


# The built-in packs this process has parsed, by origin and text. Parsing them (a thousand rules, their regexes and
# required literals) takes about a second of CPU, and one process builds several rule books: a Processor, the
# CLI's report, each mode's cleaner, a fork server's workers (scraper/core/forkserver_preload.py).
_BUILTIN_PARSED: dict[tuple[str, str], Pack] = {}


def load_pack_file(path: Any, origin: str | None = None) -> Pack:
    """Read one pack; ``path`` is a Path or an importlib resource. A built-in pack (origin ``builtin:…``) is
    parsed once per process: later loads of the same text get a copy with its own rule list (rules are not
    changed once parsed)."""
    origin = origin or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{origin}: cannot read pack: {exc}") from None
    if not origin.startswith("builtin:"):
        return _pack_from_text(text, origin)
    parsed = _BUILTIN_PARSED.get((origin, text))
    if parsed is None:
        parsed = _BUILTIN_PARSED[(origin, text)] = _pack_from_text(text, origin)
    return replace(parsed, rules=list(parsed.rules))


def load_pack_folder(folder: str | Path) -> list[Pack]:
    """Every ``*.toml`` pack under a folder (a --rules folder), in path order; examples not yet run."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RuleError(f"{folder}: --rules expects a folder of .toml packs")
    return [load_pack_file(f) for f in sorted(folder.rglob("*.toml"))]


@dataclass(frozen=True, slots=True)
class RuleName:
    id: str
    name: str


class RuleNames:
    """The built-in rules' ids and names, read from the packs' TOML alone: no rule is built and no pattern
    compiled (about 0.05 s of CPU where the rule book takes a second). What a process that cleans nothing
    itself needs, to name the rules its workers report (`presswash clean`'s summary, `--stats`)."""

    def __init__(self, names: dict[str, RuleName]):
        self._by_id = names

    @classmethod
    def builtin(cls) -> "RuleNames":
        names: dict[str, RuleName] = {}
        for f in _builtin_pack_files():
            for raw in tomllib.loads(f.read_text(encoding="utf-8")).get("rule", []):
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    names[raw["id"].upper()] = RuleName(raw["id"], str(raw.get("name", "")))
        return cls(names)

    def rule(self, rule_id: str) -> RuleName | None:
        """The rule with this id (as ``RuleBook.rule`` finds it by id), or None."""
        return self._by_id.get(rule_id.upper())


def _names(entry: str, rule: Rule) -> bool:
    """Whether a --select/--ignore entry names the rule: its id, an id prefix, or its name."""
    return rule.id.upper().startswith(entry.upper()) or rule.name == entry


def _builtin_pack_files() -> list[Any]:
    root = resources.files("cleaners") / "packs"
    files = [p for p in root.iterdir() if p.name.endswith(".toml")]
    sites = root / "sites"
    if sites.is_dir():
        files += [p for p in sites.iterdir() if p.name.endswith(".toml")]
    return sorted(files, key=lambda p: p.name)


class RuleBook:
    """All loaded packs. Built once per process; choosing packs for a page is cheap."""

    def __init__(self, packs: list[Pack]):
        self.packs = packs
        self._html_memo: tuple[str, frozenset[str]] | None = None
        self._html_check: tuple[AnyLiteral | None] | None = None  # built on first use
        self._signature_views = {p.name: v for p in packs if (v := p.signature_view()) is not None}
        seen: dict[str, str] = {}
        prefixes: dict[str, str] = {}
        for pack in packs:
            if pack.prefix and pack.rules:
                if pack.prefix in prefixes:
                    raise RuleError(f"id prefix {pack.prefix} is declared twice: by {prefixes[pack.prefix]} and "
                                    f"{pack.origin}; give each pack a prefix of its own")
                prefixes[pack.prefix] = pack.origin
            for rule in pack.rules:
                if rule.id in seen:
                    raise RuleError(f"rule id {rule.id} is used twice: in {seen[rule.id]} and {pack.origin}")
                seen[rule.id] = pack.origin

    @classmethod
    def load(cls, extra_dirs: Iterable[str | Path] = (), check: bool = True) -> "RuleBook":
        """The built-in packs, plus every ``*.toml`` under each extra folder. A user pack with the name of a
        built-in one replaces it. With ``check`` the user packs run their examples and a failing one is a
        RuleError (``presswash rules --check`` loads without, to report every failure)."""
        by_name: dict[str, Pack] = {}
        for f in _builtin_pack_files():
            pack = load_pack_file(f, f"builtin:{f.name}")
            by_name[pack.name] = pack
        for folder in extra_dirs:
            for pack in load_pack_folder(folder):
                by_name[pack.name] = check_examples(pack) if check else pack
        return cls(list(by_name.values()))

    def rules(self) -> list[Rule]:
        return [r for p in self.packs for r in p.rules]

    def selected(self, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> "RuleBook":
        """A rule book with only the rules ``select`` names (all when empty), less those ``ignore`` names.

        An entry is a rule id ("GEN011"), an id prefix ("GEN", "DOM00") or a rule name ("comment-counter"),
        as in ruff. An entry that names no rule is an error, so a typo does not silently select nothing."""
        select, ignore = [s.strip() for s in select if s.strip()], [s.strip() for s in ignore if s.strip()]
        if not select and not ignore:
            return self
        rules = self.rules()
        for entry in select + ignore:
            if not any(_names(entry, r) for r in rules):
                raise RuleError(f"--select/--ignore: {entry!r} names no rule (give an id like GEN011, an id "
                                "prefix like GEN, or a rule name; `presswash rules` lists them)")

        def kept(rule: Rule) -> bool:
            chosen = not select or any(_names(s, rule) for s in select)
            return chosen and not any(_names(i, rule) for i in ignore)

        packs = [replace(p, rules=[r for r in p.rules if kept(r)], _signature=None, _literals=None, _runs=None)
                 for p in self.packs]
        return RuleBook(packs)

    def rule(self, rule_id: str) -> Rule | None:
        wanted = rule_id.upper()
        for r in self.rules():
            if r.id.upper() == wanted or r.name == rule_id:
                return r
        return None

    def choose(self, hostname: str | None, html_sample: str | None, lines: Iterable[str],
               language: str | None = None, signed: Iterable[str] = ()) -> list[Pack]:
        """The packs for a page. ``language`` is the page's language tag ("de", "de-AT") or None when it is
        not known; packs that list ``languages`` need it to match. ``signed`` names packs whose signature
        rules fired on the page: they apply whole. A pack that does not apply gives its signature rules
        alone (``Pack.signatures_only``), which need no detection."""
        stripped = [line.strip() for line in lines]
        signed = set(signed)
        by_html = self._detected_by_html(html_sample)
        primary = primary_language(language)
        chosen = []
        for p in self.packs:
            if not p.fits_language(primary):
                continue
            if (p.always or p.name in signed or p.matches_host(hostname) or p.name in by_html
                    or p.detected_in_stripped(stripped)):
                chosen.append(p)
            elif p.name in self._signature_views:
                chosen.append(self._signature_views[p.name])
        return chosen

    def _html_literals(self, lowered: str) -> frozenset[str]:
        """Which of the packs' ``detect.html`` literals and runs the lower-cased source holds: one Aho-Corasick
        pass for all of them, where a substring test for each would read the source once per literal."""
        if self._html_check is None:
            words = {w for p in self.packs if p.detect_html
                     for w in p.html_literals() + tuple(run for runs in p.html_runs() for run in runs)}
            self._html_check = (AnyLiteral(list(words)) if words else None,)
        check = self._html_check[0]
        return check.found(lowered) if check is not None else frozenset()

    def _detected_by_html(self, html_sample: str | None) -> frozenset[str]:
        """Packs whose ``detect.html`` patterns occur in the page source. The DOM and text stages of one
        page ask with the same sample, so the answer for the last sample is kept."""
        if not html_sample:
            return frozenset()
        if self._html_memo is not None and self._html_memo[0] is html_sample:
            return self._html_memo[1]
        lowered = html_sample.lower()
        folded = ignorecase_lower(html_sample, lowered)
        present = self._html_literals(lowered)
        found = frozenset(p.name for p in self.packs if p.html_detected(html_sample, lowered, present, folded))
        self._html_memo = (html_sample, found)
        return found
