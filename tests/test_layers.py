"""The layer contract in pyproject.toml holds: lower layers never import higher ones, and the cleaners
import no I/O or crawling library (import-linter reads the code; nothing is imported to check it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    run = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                          "sys.exit(lint_imports_command())"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_a_broken_layer_is_caught(tmp_path):
    """The check can fail: a core module that imports the command line breaks the contract."""
    for package in ("scraper", "cleaners", "spiders"):
        (tmp_path / package).symlink_to(ROOT / package, target_is_directory=True)
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    # A copy of the core package with one upward import, under another name, stands in for a bad change.
    bad = tmp_path / "scraper_bad"
    bad.mkdir()
    (bad / "__init__.py").write_text("")
    config = config.replace('root_packages = ["scraper", "cleaners", "spiders"]',
                            'root_packages = ["scraper", "cleaners", "spiders", "scraper_bad"]')
    config = config.replace('    "scraper.core",\n', '    "scraper.core | scraper_bad",\n')
    (bad / "upward.py").write_text("import scraper.cli\n")
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                          "sys.exit(lint_imports_command())"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert run.returncode != 0
    assert "scraper_bad.upward -> scraper.cli" in run.stdout


def test_the_public_api_stays_where_users_import_it():
    from scraper import Article, Failure, Options, Page, Processor, clean_html, clean_text, process_page

    article = clean_html("<html><body><article><p>" + "The council met on Monday to vote. " * 20
                         + "</p></article></body></html>", url="https://news.example/a")
    assert isinstance(article, Article) and "council met" in article.text
    assert isinstance(clean_text(""), Failure)
    outcome = process_page(Page(body=b"Headline here\nThe council met on Monday to vote on the plan.", source="t",
                                kind="text"), Options(mode="balanced"))
    assert outcome.ok and outcome.title == "Headline here"
    assert callable(Processor(Options()))
