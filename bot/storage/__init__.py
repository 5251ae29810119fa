"""Storage: schema, engines, the database (group commit), prepared hot path, migrations."""
