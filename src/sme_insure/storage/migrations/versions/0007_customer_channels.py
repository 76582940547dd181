"""customer_channels: the channels that serve a customer, one row per (customer, channel)

A channel key saw (and quoted) only the customers whose ``customers.channel`` was its own, so a
channel could not renew its own policy of a customer another channel or the insurer's staff had
registered first, nor serve a business another channel had registered. A channel now sees the
customers linked to it: linked when it registers the customer or presents the identifier of one
already registered (sme_insure.services.customers).

Backfill: each customer's registering channel, and each channel that wrote a quote or a policy
of the customer; ``first_seen`` is the earliest of those dates. Customers registered by staff
(no channel) are linked only to the channels that wrote business for them. The downgrade drops
the table: scope goes back to ``customers.channel``.

Revision ID: 0007_customer_channels
Revises: 0006_idempotency_per_caller
Create Date: 2026-12-15 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007_customer_channels'
down_revision = '0006_idempotency_per_caller'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

_BACKFILL = """
INSERT INTO customer_channels (customer_id, channel, tenant_id, first_seen)
SELECT seen.customer_id, seen.channel, c.tenant_id, MIN(seen.at)
FROM (SELECT id AS customer_id, channel, created_at AS at FROM customers WHERE channel IS NOT NULL
      UNION ALL
      SELECT customer_id, channel, created_at FROM quotes WHERE channel IS NOT NULL
      UNION ALL
      SELECT customer_id, channel, issued_at FROM policies WHERE channel IS NOT NULL) seen
JOIN customers c ON c.id = seen.customer_id
GROUP BY seen.customer_id, seen.channel, c.tenant_id
"""


def upgrade() -> None:
    op.create_table(
        'customer_channels',
        sa.Column('customer_id', Id, autoincrement=False, nullable=False),
        sa.Column('channel', sa.String(length=60), nullable=False),
        sa.Column('tenant_id', Id, nullable=False),
        sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id']),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id']),
        sa.PrimaryKeyConstraint('customer_id', 'channel'),
    )
    op.get_bind().execute(sa.text(_BACKFILL))


def downgrade() -> None:
    op.drop_table('customer_channels')
