"""quotes, policies: adjustment, the underwriter's loading or discount as a rating input

Until now an approval with a loading or discount rewrote the quote's money only, so the next
endorsement re-rated without it (and returned it pro rata), and a re-rating did not reproduce
the premium. The adjustment is now recorded (sme_insure.underwriting.adjustment) and applied by
every rating of the risk before the minimum premiums.

Existing approvals are backfilled from the referral decisions (loading or discount not 0), onto
their quotes and the policies bound from them. Their stored money is left as it was charged: an
approval that loaded a premium already at a minimum was charged the loading on the minimum; the
next endorsement of such a policy re-rates with the loading before the minimum and so returns
that part pro rata.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-12 10:00:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_REFERRALS = sa.table('referrals', sa.column('id', sa.Integer()), sa.column('quote_id', sa.Integer()),
                      sa.column('status', sa.String()), sa.column('decision', sa.JSON()))
_QUOTES = sa.table('quotes', sa.column('id', sa.Integer()), sa.column('adjustment', sa.JSON()))
_POLICIES = sa.table('policies', sa.column('id', sa.Integer()), sa.column('quote_id', sa.Integer()),
                     sa.column('adjustment', sa.JSON()))


def _record(referral_id: int, decision: dict[str, Any]) -> dict[str, Any] | None:
    """The adjustment a decision gave, as sme_insure.underwriting.adjustment records it."""
    loading, discount = float(decision.get('loading') or 0), float(decision.get('discount') or 0)
    if not loading and not discount:
        return None
    kind, rate = ('loading', loading) if loading else ('discount', discount)
    return {'kind': kind, 'rate': rate, 'factor': 1 + rate if loading else 1 - rate,
            'by': f"key {decision.get('by_key')} ({decision.get('role')})", 'referral_id': referral_id}


def _backfill() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_REFERRALS.c.id, _REFERRALS.c.quote_id, _REFERRALS.c.decision)
                        .where(_REFERRALS.c.status == 'approved')).all()
    for referral_id, quote_id, decision in rows:
        record = _record(referral_id, decision or {})
        if record is None:
            continue
        bind.execute(sa.update(_QUOTES).where(_QUOTES.c.id == quote_id).values(adjustment=record))
        bind.execute(sa.update(_POLICIES).where(_POLICIES.c.quote_id == quote_id).values(adjustment=record))


def upgrade() -> None:
    op.add_column('quotes', sa.Column('adjustment', sa.JSON(), nullable=True))
    op.add_column('policies', sa.Column('adjustment', sa.JSON(), nullable=True))
    _backfill()


def downgrade() -> None:
    with op.batch_alter_table('policies') as batch:
        batch.drop_column('adjustment')
    with op.batch_alter_table('quotes') as batch:
        batch.drop_column('adjustment')
