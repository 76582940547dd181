"""idempotency_records: unique per (tenant, key, caller); keys up to 255 characters; an index
on created_at for the sweep of expired records

Until now a key was unique per tenant, so two API keys of one tenant (two channels) could not
use the same Idempotency-Key: the second got 409. ``caller`` names the owner of the key
(``key:<api key id>``, or ``<role>:<channel>`` for an actor without an API key, such as the web
pages): never NULL, since NULLs are distinct in a unique constraint and two keyless requests
would both be stored. Existing records get caller ``''``: the application still matches them
(their fingerprint covers the API key id) until they expire.

Revision ID: 0006_idempotency_per_caller
Revises: 0005
Create Date: 2026-12-14 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006_idempotency_per_caller'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLE = 'idempotency_records'
# SQLite reflects 0001's unnamed unique constraint without a name: the convention names it
_NAMES = {'uq': 'uq_%(table_name)s_%(column_0_name)s'}


def _unique_on(columns: list[str]) -> str:
    """The name of the unique constraint on ``columns`` (PostgreSQL's own, or the convention's)."""
    for found in sa.inspect(op.get_bind()).get_unique_constraints(TABLE):
        if found['column_names'] == columns and found.get('name'):
            return found['name']
    return _NAMES['uq'] % {'table_name': TABLE, 'column_0_name': columns[0]}


def upgrade() -> None:
    old = _unique_on(['tenant_id', 'key'])
    with op.batch_alter_table(TABLE, naming_convention=_NAMES) as batch:
        batch.add_column(sa.Column('caller', sa.String(length=80), nullable=False, server_default=''))
        batch.alter_column('key', existing_type=sa.String(length=200), type_=sa.String(length=255),
                           existing_nullable=False)
        batch.drop_constraint(old, type_='unique')
        batch.create_unique_constraint('uq_idempotency_records_tenant_key_caller',
                                       ['tenant_id', 'key', 'caller'])
        batch.create_index('ix_idempotency_records_created_at', ['created_at'])
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column('caller', existing_type=sa.String(length=80), server_default=None,
                           existing_nullable=False)


def downgrade() -> None:
    """Back to one key per tenant: of a key used by several callers, the oldest record is kept."""
    bind = op.get_bind()
    bind.execute(sa.text(
        f'DELETE FROM {TABLE} WHERE id NOT IN (SELECT MIN(id) FROM {TABLE} GROUP BY tenant_id, key)'))
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_index('ix_idempotency_records_created_at')
        batch.drop_constraint('uq_idempotency_records_tenant_key_caller', type_='unique')
        batch.drop_column('caller')
        batch.create_unique_constraint('uq_idempotency_records_tenant_id', ['tenant_id', 'key'])
    bind.execute(sa.text(f'DELETE FROM {TABLE} WHERE length(key) > 200'))
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column('key', existing_type=sa.String(length=255), type_=sa.String(length=200),
                           existing_nullable=False)
