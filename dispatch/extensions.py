"""Extensions created once at import time and bound to an app in create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .http.error_schema import AnyOperationMayBeUnavailable, ErrorSchema

# Stable constraint names, so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()


class DispatchApi(Api):
    ERROR_SCHEMA = ErrorSchema  # the errors as they are, not flask-smorest's own shape


api = DispatchApi(spec_kwargs={"extra_plugins": [AnyOperationMayBeUnavailable()]})
# its error answers: dispatch/http/errors.py, installed by the factory
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
