"""KPI duration indexes carry the board and every column a percentile read needs

The index changes that were once made inside 0006 after it had been applied (commits d528c1f
and afd8581); 0006 is back as it was first applied. Dropped and created by name, so a database
that ran any version of 0006 ends with the same indexes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('kpi_timing_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_timing_counts_street')
        batch_op.create_index('ix_kpi_timing_counts_street', ['street_id', 'board_code', 'kind', 'day'], unique=False)

    with op.batch_alter_table('kpi_timings', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_timings_department')
        batch_op.drop_index('ix_kpi_timings_street')
        batch_op.create_index('ix_kpi_timings_department', ['department_id', 'kind', 'bucket', 'day', 'street_id', 'board_code', 'hours'], unique=False)
        batch_op.create_index('ix_kpi_timings_street', ['street_id', 'board_code', 'kind', 'bucket', 'day', 'department_id', 'hours'], unique=False)


def downgrade():
    with op.batch_alter_table('kpi_timings', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_timings_street')
        batch_op.drop_index('ix_kpi_timings_department')
        batch_op.create_index('ix_kpi_timings_department', ['department_id', 'kind', 'bucket', 'day'], unique=False)
        batch_op.create_index('ix_kpi_timings_street', ['street_id', 'kind', 'bucket', 'day'], unique=False)

    with op.batch_alter_table('kpi_timing_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_timing_counts_street')
        batch_op.create_index('ix_kpi_timing_counts_street', ['street_id', 'kind', 'day'], unique=False)
