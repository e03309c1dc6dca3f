"""`presswash explain --html`: the explain report as one self-contained HTML page (scraper/cli/htmlpage.py).

Each document gets a section: the blocks the DOM rules dropped, the clean text with every removal struck
through in place, each labelled with its rule, the record's metadata with where each field came from, and
its duplicate and story links. A label's tooltip (its ``title``) gives the rule's name and why; the label links
to the table of the rules that fired, at the end of the page, for readers with no hover.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import fields
from typing import TYPE_CHECKING

from cleaners import Rule, RuleBook
from cleaners.model import CleanResult, Edit

from scraper.cli.explain import harvested, lines_with_strips, removal_summary, render_placement
from scraper.cli.htmlpage import escape, render_page
from scraper.core.document import Outcome
from scraper.core.metadata import PROVENANCE, Metadata

if TYPE_CHECKING:
    from scraper.store import Store
    from scraper.store.stories import Placement

# The label colour is the page's signature: the browser test counts its pixels in a screenshot.
LABEL_COLOUR = (179, 0, 107)

STYLE = """
.rule { background: rgb%s; color: #fff; font: bold .78em/1.4 ui-monospace, monospace; padding: .05em .4em;
        border-radius: 3px; margin-right: .35em; text-decoration: none; white-space: nowrap; }
del { text-decoration: line-through; text-decoration-color: #a33; }
.dropped del { background: #fde9e9; color: #6b1a1a; }
.stripped del { background: #fff3c4; color: #5c4a00; }
.cut.block { display: block; margin: .3em 0 .8em; }
.block del { background: #eeeeee; color: #444; display: block; max-height: 9em; overflow: auto; margin-top: .15em;
             padding: .2em .5em; }
.text p { margin: .45em 0; }
.text p.lead { background: #e8f6ec; cursor: help; }
.cut[title] { cursor: help; }
.legend { background: #f4f4f8; padding: .5em .8em; border-left: 3px solid #888; }
td.source code { background: #eef3ff; padding: 0 .3em; }
""" % (LABEL_COLOUR,)

METADATA_SHOWN = tuple(f.name for f in fields(Metadata) if f.name != "provenance")


class ExplainPage:
    """The page being built: add each document with ``add``, then ``render``."""

    def __init__(self, rulebook: RuleBook, against: Store | None = None):
        self.rulebook = rulebook
        self.against = against  # the store explain compares with (--store), for its articles' URLs
        self.sections: list[str] = []
        self.contents: list[str] = []
        self.fired: Counter[str] = Counter()   # rule id -> removals, for the table of rules
        self.names: dict[str, str] = {}        # rule id -> the name an edit gave, for a rule the book lacks
        self.anchors: dict[str, tuple[str, str]] = {}  # a run's article id -> (its section's anchor, its source)

    def add(self, outcome: Outcome, placement: Placement | None = None) -> None:
        """One document's section, with its duplicate and story links when it was placed."""
        anchor = f"doc-{len(self.sections) + 1}"
        self.anchors.setdefault(outcome.id, (anchor, outcome.url or outcome.source))
        self.contents.append(f'<li><a href="#{anchor}">{escape(outcome.source)}</a>'
                             + ("" if outcome.ok else ' <span class="alert">error</span>') + "</li>")
        out = [f'<section id="{anchor}">', f"<h2>{escape(outcome.source)}</h2>"]
        if outcome.url:
            out.append(f'<p class="dim mono">{escape(outcome.url)}</p>')
        dom_edits, cleaned, put_in = outcome.audit or ([], None, ())
        if outcome.ok:
            out.append(f"<p>{escape(removal_summary(outcome))}</p>")
        else:  # a failure shows its removals only when the rules removed all of its text
            out.append(f'<p class="alert">error: {escape(outcome.error)}</p>')
        if outcome.ok or outcome.audit is not None:
            out.append("<h3>Blocks the DOM rules dropped</h3>")
            if dom_edits:
                out.append('<div class="blocks">' + "".join(self._block(e) for e in dom_edits) + "</div>")
            else:
                out.append('<p class="dim">none</p>')
            out.append("<h3>Clean text</h3>")
            out.append('<div class="text">' + (self._text(cleaned, put_in) if cleaned is not None else "") + "</div>")
        if outcome.ok:
            out.append("<h3>Record and where its fields came from</h3>")
            out.append(self._record_table(outcome))
        if outcome.ok and placement is not None:
            lines = render_placement(outcome.id, placement, self._name, escape)
            out.append("<h3>Duplicates and story</h3>")
            out.append('<ul class="placement">' + "".join(f"<li>{line}</li>" for line in lines) + "</ul>")
        out.append("</section>")
        self.sections.append("\n".join(out))

    def _name(self, other: str) -> str:
        """How a placement line names another article: a link to its section when it is in this run, else its
        id and the store's URL for it."""
        if other in self.anchors:
            anchor, where = self.anchors[other]
            return f'<a href="#{anchor}">{escape(where)}</a> <code class="dim">{escape(other)}</code>'
        where = self.against.article_url(other) if self.against is not None else None
        return f"<code>{escape(other)}</code>" + (f" ({escape(where)})" if where else "")

    def render(self, title: str) -> str:
        body = [(
            '<p class="legend">Struck through: what the rules removed, in place, each labelled with its rule '
            "(hover a label for the rule's name and why; it links to the table of rules below). Blocks the DOM "
            "rules dropped from the page before extraction are listed above each text. In green, labelled lead: the "
            "article's lead, which the extractor left out, put back.</p>")]
        if len(self.sections) > 1:
            body.append("<ul>" + "".join(self.contents) + "</ul>")
        body.extend(self.sections)
        body.append(self._rule_table())
        return render_page(title, "\n".join(body), style=STYLE)

    # --- the pieces -------------------------------------------------------------------------------------

    def _rule(self, edit: Edit) -> Rule | None:
        self.fired[edit.rule] += 1
        self.names.setdefault(edit.rule, edit.name)
        return self.rulebook.rule(edit.rule)

    def _cut(self, edit: Edit, kind: str, text: str) -> str:
        """A removal in place: the rule's label, then the removed text struck through."""
        rule = self._rule(edit)
        tip = f"{edit.rule} {edit.name}" + (f": {rule.why}" if rule is not None and rule.why else "")
        if edit.detail:
            tip += f" ({edit.detail})"
        return (f'<span class="cut {kind}" title="{escape(tip)}"><a class="rule" href="#rule-{escape(edit.rule)}">'
                f"{escape(edit.rule)}</a><del>{escape(text)}</del></span>")

    def _block(self, edit: Edit) -> str:
        return self._cut(edit, "block", edit.text)

    def _text(self, cleaned: CleanResult, put_in: tuple[str, ...] = ()) -> str:
        """Each line of the text as the engine left it, the removals struck through and the lead lines the lead
        step put in marked (as render_lines)."""
        out = []
        for line, strips in lines_with_strips(cleaned):
            cuts = "".join(self._cut(edit, "stripped", edit.text) + " " for edit in strips)
            if line.removed_by is not None:
                out.append(f'<p class="dropped">{cuts}{self._cut(line.removed_by, "dropped", line.text)}</p>')
            elif line.text in put_in:
                out.append(f'<p class="lead" title="the article\'s lead, which the extractor left out: put back">'
                           f'<span class="rule">lead</span> {cuts}{escape(line.text)}</p>')
            else:
                out.append(f"<p>{cuts}{escape(line.text)}</p>")
        return "\n".join(out)

    def _record_table(self, outcome: Outcome) -> str:
        rows = []
        for name in METADATA_SHOWN:
            value = getattr(outcome, name)
            source = outcome.provenance.get(name)
            shown = ", ".join(value) if isinstance(value, list) else value
            cell = escape(str(shown)) if shown not in (None, "") else '<span class="dim">-</span>'
            where = (f'<code title="{escape(PROVENANCE.get(source, source))}">{escape(source)}</code>'
                     if source else "")
            rows.append(f"<tr><th>{escape(name)}</th><td>{cell}</td><td class=\"source\">{where}</td></tr>")
        extra = {"canonical_url": outcome.canonical_url, "packs": ", ".join(outcome.packs),
                 "flags": ", ".join(outcome.flags), "extraction": outcome.extractor.get("mode"),
                 "facts": harvested(outcome)}
        for name, value in extra.items():
            if value:
                rows.append(f"<tr><th>{escape(name)}</th><td>{escape(str(value))}</td><td></td></tr>")
        return ('<table class="record"><tr><th>field</th><th>value</th><th>source (provenance)</th></tr>'
                + "".join(rows) + "</table>")

    def _rule_table(self) -> str:
        if not self.fired:
            return '<h2 id="rules">Rules that fired</h2><p class="dim">none</p>'
        rows = []
        for rule_id, count in sorted(self.fired.items()):
            rule = self.rulebook.rule(rule_id)
            name, why = (rule.name, rule.why) if rule is not None else (self.names[rule_id], "")
            pack = f"{rule.pack}, {rule.kind}" if rule is not None else ""
            rows.append(f'<tr id="rule-{escape(rule_id)}"><td><span class="rule">{escape(rule_id)}</span></td>'
                        f"<td>{escape(name)}</td><td>{count}</td><td>{escape(pack)}</td><td>{escape(why)}</td></tr>")
        return ('<h2 id="rules">Rules that fired</h2><table><tr><th>rule</th><th>name</th><th>removals</th>'
                "<th>pack, kind</th><th>why</th></tr>" + "".join(rows) + "</table>")
