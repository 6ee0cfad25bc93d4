"""One module per group of pages, each with its ``ROUTES`` (the pattern: tracker/web/__init__.py)."""
