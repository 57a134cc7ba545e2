"""users.session_generation: sessions, remember cookies and bearer tokens can be revoked

Each one carries the generation it was issued in; signing out everywhere, a new password and
deactivation bump it. Sessions and tokens issued before this revision carry none and are
refused: everyone signs in once more after the upgrade.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
