"""Who is acting, as the lifecycle core sees them."""

from ..core.lifecycle import Actor, Role
from ..models import User

SYSTEM = Actor(user_id=None, role=Role.SYSTEM)


def actor_for(user: User) -> Actor:
    """A handler of a bureau acts for the bureau and its sections; of a section, for that only."""
    departments: frozenset[int] = frozenset()
    department_code = None
    if user.department is not None:
        departments = frozenset({user.department.id, *(s.id for s in user.department.sections)})
        department_code = user.department.code
    return Actor(user_id=user.id, role=user.role, street_id=user.street_id,
                 department_ids=departments, department_code=department_code,
                 board_code=user.board_code)
