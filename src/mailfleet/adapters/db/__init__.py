"""The relational database: SQLite by default, PostgreSQL by URL, migrated by Alembic."""
