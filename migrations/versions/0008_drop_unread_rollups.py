"""drop rollups written on every event and never read: daily_counts, daily_board_counts.hours

The dashboards and the KPIs read daily_board_counts.count (no grid) and state_counts (with the
grid); durations come from kpi_timings. A downgrade brings the table and the column back empty
(zero hours): `dispatch rollups rebuild` with the older code fills them again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('daily_counts')
    with op.batch_alter_table('daily_board_counts', schema=None) as batch_op:
        batch_op.drop_column('hours')


def downgrade():
    with op.batch_alter_table('daily_board_counts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours', sa.Double(), nullable=False, server_default='0'))

    with op.batch_alter_table('daily_board_counts', schema=None) as batch_op:
        batch_op.alter_column('hours', server_default=None)

    op.create_table('daily_counts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('street_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('board_code', sa.String(length=16), nullable=False),
    sa.Column('department_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('grid_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'street_id', 'board_code', 'department_id', 'grid_id', 'metric', name=op.f('pk_daily_counts'))
    )
