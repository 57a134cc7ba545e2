"""routing rule sets are versioned: every replace keeps the whole list as a new version

The rules in force today become version 1 (if there are any), so the first replace after the
upgrade already names a version and can be rolled back. A downgrade drops the history; the rules
in force stay in routing_rules.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    sets = op.create_table(
        'routing_rule_sets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('documents', JSON, nullable=False),
        sa.Column('rule_count', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('restored_from', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_routing_rule_sets_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rule_sets')),
        sa.UniqueConstraint('version', name=op.f('uq_routing_rule_sets_version')))
    rules = sa.table('routing_rules', sa.column('position', sa.Integer()),
                     sa.column('document', JSON))
    bind = op.get_bind()
    documents = [row.document for row in bind.execute(
        sa.select(rules.c.document).order_by(rules.c.position))]
    if documents:  # stamped by the database: no app clock runs inside a migration
        op.execute(sets.insert().values(
            version=1, documents=documents, rule_count=len(documents), source='migration',
            restored_from=None, created_by_id=None, created_at=sa.func.now()))


def downgrade():
    op.drop_table('routing_rule_sets')
