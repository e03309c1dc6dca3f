"""`python -m scraper.cli`: the same main() the `presswash` entry point calls."""

import sys

from scraper.cli import main

sys.exit(main())
