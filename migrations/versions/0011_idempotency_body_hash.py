"""tickets.idempotency_hash: what the report said when its Idempotency-Key was first used

A retry with the same key and the same body is a replay; the same key with a different body is
refused (422 idempotency_key_reused). Tickets filed before this revision have no hash: their
keys replay as before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('idempotency_hash')
