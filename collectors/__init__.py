"""Collectors: one module per kind of source. A collector never touches the database."""
