"""Storage: SQLAlchemy models, migrations, idempotent writes and the queries every reader uses."""
