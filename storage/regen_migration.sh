#!/usr/bin/env bash
# Development only (before the first release): rebuild the single initial migration from storage/models.py.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f storage/migrations/versions/0001_initial_schema.py
DATABASE_URL="sqlite:///$tmp/autogen.db" .venv/bin/alembic revision --autogenerate -m "initial schema" --rev-id 0001 >/dev/null
rm -rf "$tmp"
echo "regenerated storage/migrations/versions/0001_initial_schema.py"
