"""presswash cleaners: a pure rule engine. Text (or a parsed page) in; clean text and an audit trail out.

No I/O happens here beyond reading the bundled TOML packs once.
"""

from .engine import Cleaner, clean_text, default_cleaner
from .model import CleanResult, Edit
from .packs import Pack, RuleBook
from .rules import Rule, RuleError

__all__ = ["Cleaner", "CleanResult", "Edit", "Pack", "Rule", "RuleBook", "RuleError", "clean_text", "default_cleaner"]
