"""Fixtures shared by the integration tests."""

import pytest

from tests.conftest import _wipe, make_app
from tests.helpers import ApiDriver
from tests.redis_server import private_redis  # noqa: F401  (a fixture)


@pytest.fixture
def redis_app(pg_database, tmp_path, private_redis):  # noqa: F811
    """An app on PostgreSQL whose jobs go to a private Redis, which a test may stop."""
    app = make_app(pg_database, tmp_path / "uploads", private_redis.url)
    yield app
    _wipe(app)


@pytest.fixture
def redis_api(redis_app):
    """Files reports into `redis_app`; the jobs wait in Redis for a worker the test runs."""
    driver = ApiDriver(redis_app, redis_app.test_client())
    driver.drain = lambda: None
    return driver
