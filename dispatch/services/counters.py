"""Counter tables, written the same way by both kinds of rollups (the dashboards' in rollups.py,
the KPIs' in kpi_rollups.py): an upsert that adds to a row, a chunked insert for rebuilds, and
the comparison `dispatch rollups check` prints. Its own module, so that each rollup module
depends on it and neither on the other."""

from ..extensions import db


def _insert(table):
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def bump(table, key: dict, increments: dict) -> None:
    stmt = _insert(table).values(**key, **increments)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key), set_={k: table.c[k] + stmt.excluded[k] for k in increments})
    db.session.execute(stmt)


def compare(names, replayed, kept) -> list[str]:
    """Lines naming each key where a replayed counter and a stored one disagree."""
    differences = []
    for name, a_counts, b_counts in zip(names, replayed, kept, strict=True):
        for key in sorted(set(a_counts) | set(b_counts), key=str):
            a, b = a_counts.get(key, 0), b_counts.get(key, 0)
            if abs(a - b) > 1e-6:
                differences.append(f"{name} {key}: events say {a}, rollup has {b}")
    return differences


def insert_all(table, rows: list[dict]) -> int:
    for chunk in range(0, len(rows), 10_000):
        db.session.execute(table.insert(), rows[chunk:chunk + 10_000])
    return len(rows)
