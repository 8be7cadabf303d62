"""demo marker on members (issue 11): no schema change

The marker this revision was reserved for already exists: members.is_demo and activities.is_demo
are in 0001 (NOT NULL, set by the ORM; `python -m bot demo` sets them). Issue 11 needed only their
use: storage/demo.py leaves demo rows out of exports, the digest and statistics and removes them
(`python -m bot demo --remove`). A database default was considered and left out: on SQLite it would
rebuild the members table, which the foreign keys of every dependent table make unsafe.
The revision stays, empty, so the chain 0003 -> 0004 -> 0005 is linear.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:10:01
"""


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
