"""Running a rule's own examples exactly as the engine treats them, and saying which ones fail.

A text rule's example runs through the engine's text stage with that rule alone (``Cleaner.clean_text``
with ``rules=[rule]``): a ``remove`` example must lose text to the rule, and only text it holds; a ``keep``
example must lose nothing to it. A rule that reads other rules' removals (a clutter run) runs with the built-in
text rules around it, which remove the clutter its examples surround. A DOM rule's example is an HTML fragment,
placed in a page after a long article paragraph so the block guards (``max_words``, ``max_share``) behave as
on a real page: a ``remove`` example must lose at least one element (and the article paragraph nothing); a
``keep`` example must lose nothing.

The test suite checks the built-in packs with these functions; ``presswash rules --check`` and the loading of
user and mined packs use them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from .model import CleanResult, Edit
from .rules import DropBlock, Example, Rule, block_text, word_count

# About 270 words of article: a real article's worth, so a small example block is well under max_share.
ARTICLE = " ".join([
    "The city council voted on Tuesday to keep the central library open on Sundays, reversing a plan that",
    "would have saved two million pounds a year. Residents had gathered more than eight thousand signatures",
    "against the closure, and the debate in the chamber ran for almost four hours before the final vote.",
] * 8)

EXAMPLE_KINDS = ("remove", "keep")


def page_with(fragment: str) -> str:
    """The page a DOM example runs in: a headline and the article paragraph, then the fragment."""
    return (f"<html><head><title>Library stays open</title></head><body><article><h1>Library stays open</h1>"
            f"<p>{ARTICLE}</p>{fragment}</article></body></html>")


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    """An example that does not do what it says: the rule, which example, and what happened."""

    rule: str  # the rule's id
    kind: str  # "remove" or "keep"
    number: int  # 1 for the rule's first example of that kind
    text: str
    problem: str

    def __str__(self) -> str:
        text = " ".join(self.text.split())
        text = text if len(text) <= 80 else text[:79] + "…"
        return f"{self.rule}: {self.kind} example {self.number} ({text!r}): {self.problem}"


@dataclass(slots=True)
class ExampleRun:
    """One example run through the engine. A text rule's run has ``cleaned`` (its lines show what went);
    a DOM rule's has ``blocks``, the blocks it dropped, and ``fragment_text``, the fragment's text after."""

    rule: Rule
    kind: str
    number: int
    example: Example
    problem: str | None = None
    cleaned: CleanResult | None = None
    blocks: list[Edit] | None = None
    fragment_text: str = ""

    @property
    def failure(self) -> ExampleFailure | None:
        if self.problem is None:
            return None
        return ExampleFailure(self.rule.id, self.kind, self.number, self.example.text, self.problem)


def run_example(rule: Rule, kind: str, number: int) -> ExampleRun:
    """Run the rule's ``number``-th (from 1) ``kind`` example ("remove" or "keep") and judge it."""
    if kind not in EXAMPLE_KINDS:
        raise ValueError(f"an example kind is 'remove' or 'keep', not {kind!r}")
    example = getattr(rule, kind)[number - 1]
    run = ExampleRun(rule, kind, number, example)
    if isinstance(rule, DropBlock):
        _run_dom(run)
    else:
        _run_text(run)
    return run


def example_runs(rule: Rule) -> Iterator[ExampleRun]:
    """Every example of the rule, run: its remove examples, then its keep examples."""
    for kind in EXAMPLE_KINDS:
        for number in range(1, len(getattr(rule, kind)) + 1):
            yield run_example(rule, kind, number)


def check_rules(rules: Iterable[Rule]) -> list[ExampleFailure]:
    """The failing examples of these rules (of a pack: ``check_rules(pack.rules)``); empty when all pass."""
    return [run.failure for rule in rules for run in example_runs(rule) if run.failure is not None]


def _run_text(run: ExampleRun) -> None:
    from .engine import clean_with_rules

    rule, example = run.rule, run.example
    run.cleaned = cleaned = clean_with_rules(example.text, example.title, [rule])
    edits = [e for e in cleaned.edits if e.rule == rule.id]
    if run.kind == "keep":
        if edits:
            run.problem = f"the rule removed {[e.text for e in edits]!r} from a keep example"
        return
    if not edits:
        run.problem = "the rule removed nothing from a remove example"
        return
    stray = [e.text for e in edits if not e.text or e.text not in example.text]
    if stray:
        run.problem = f"the rule's edits hold text that is not in the example: {stray!r}"
        return
    lost = _chars(example.text) - _chars(cleaned.text)
    accounted = sum(_chars(e.text) for e in cleaned.edits)  # the context's edits too, for a clutter run
    if lost != accounted:
        run.problem = f"the clean text lost {lost} characters but the edits account for {accounted}"


def _chars(text: str) -> int:
    return len("".join(text.split()))


def _run_dom(run: ExampleRun) -> None:
    """A drop-block example: ``run.rule`` is a DropBlock."""
    import lxml.html

    rule, fragment = run.rule, run.example.text
    if not fragment.lstrip().startswith("<"):
        run.problem = "a drop-block example is an HTML fragment, starting with '<'"
        return
    tree = lxml.html.document_fromstring(page_with(fragment))
    before = sum(1 for _ in tree.iter())
    run.blocks = edits = rule.apply_tree(tree, word_count(tree.find(".//body").text_content()))
    dropped = before - sum(1 for _ in tree.iter())
    run.fragment_text = _fragment_text(tree)
    if run.kind == "keep":
        if dropped or edits:
            run.problem = f"the rule dropped {[e.text for e in edits] or 'an element'!r} from a keep example"
        return
    if not dropped:
        run.problem = "the rule dropped nothing from a remove example"
        return
    if ARTICLE not in " ".join(tree.text_content().split()):
        run.problem = "the rule cut into the article paragraph the example is placed after"
        return
    whole = " ".join(_element_text(fragment).split())
    stray = [e.text for e in edits if e.rule != rule.id or e.action != "block" or e.text not in whole]
    if stray:
        run.problem = f"the rule's edits hold text that is not in the example: {stray!r}"


def _element_text(fragment: str) -> str:
    import lxml.html

    return block_text(lxml.html.fragment_fromstring(fragment, create_parent="div"))


def _fragment_text(tree: Any) -> str:
    """What is left of the fragment's text: the page's text after the article paragraph."""
    text = " ".join(tree.text_content().split())
    return text.split(ARTICLE, 1)[1].strip() if ARTICLE in text else text
