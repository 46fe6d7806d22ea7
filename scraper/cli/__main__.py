"""`python -m scraper.cli`: the `scrape` command."""

from scraper.cli import main

main()
