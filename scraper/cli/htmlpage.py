"""Self-contained HTML report pages (`explain --html`, `health --html`): one file, inline CSS, no script, no
external asset, so a report opens the same offline, in a mail attachment or a CI artefact."""

from __future__ import annotations

from html import escape

__all__ = ["escape", "render_page"]

# The look every report shares; a report adds its own rules with `style`.
BASE_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #1b1b1b; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; } th, td { padding: .2em .6em; text-align: left; vertical-align: top; }
th { border-bottom: 1px solid #bbb; } tr:nth-child(even) td { background: #f6f6f6; }
code, .mono { font-family: ui-monospace, monospace; font-size: .92em; }
.dim { color: #666; } .alert { color: #a00; font-weight: bold; }
"""


def render_page(title: str, body: str, style: str = "") -> str:
    """A whole HTML document: ``title`` (plain text, escaped here) over ``body`` (HTML, already escaped by the
    caller), with the shared style and the report's own ``style``."""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{BASE_STYLE}{style}</style>\n</head>\n"
            f"<body>\n<h1>{escape(title)}</h1>\n{body}\n</body>\n</html>\n")
