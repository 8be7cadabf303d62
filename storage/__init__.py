"""Persistence: typed models, engine/session, query functions by concern, migrations."""
