"""category synonyms: everyday words the worker's category search also finds

Kept as data beside each category (boards/demo/categories.yaml) and loaded with them; existing
rows start with none until the reference data is loaded again (`flask seed-demo` upserts).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'synonyms',
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=False, server_default=sa.text("'[]'")))


def downgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('synonyms')
