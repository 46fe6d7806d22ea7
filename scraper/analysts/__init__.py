"""What analysts see of the archive: its documented schema, Datasette metadata and canned
queries, server-side SVG charts, a one-file HTML report and a read-only Datasette server.

Modules: schema_doc (every table and column described, the single source of the metadata),
metadata (Datasette metadata and canned queries), charts (SVG charts from an archive
connection), report (`write_report`), serve (`serve`, the `/-/charts` plugin), commands
(the click commands `serve` and `report`, registered in the CLI group by scraper.cli).
"""
