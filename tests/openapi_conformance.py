"""Every answer the API gives anywhere in the test suite is checked against the OpenAPI
document it publishes (issue 10, point 11: the document said `code: integer, status: string`
while every error is `code: string, status: integer`, and several endpoints documented no body).

How: every app the fixtures make uses `ConformingClient` as its test client, which checks each
answer to a request under /api/v1/ as it comes back, and fails the test on the spot if
- the path and method are not an operation of the document (405 then must carry `Allow`, and
  an unknown path is a plain 404 error);
- the status is not listed among the operation's responses (the catch-all `default` does not
  count);
- the body does not match the schema documented for that status (schemathesis's own response
  validation, JSON Schema by jsonschema_rs).
The document is read once per run, from the first app that asks. `CHECKED` counts the answers
checked per operation and status, for the summary at the end of the run."""

from collections import Counter

import schemathesis
from flask.testing import FlaskClient
from schemathesis.core.transport import Response

DOC = "/api/v1/openapi.json"
CHECKED: Counter = Counter()
FUZZED: Counter = Counter()  # tests/api/test_schemathesis.py: (database, person) → requests
_loaded: dict = {}


class NonConformingAnswer(AssertionError):
    pass


def document(app) -> tuple[dict, object]:
    """(the raw document, schemathesis's schema of it), read once per run."""
    if not _loaded:
        raw = FlaskClient(app).get(DOC).get_json()
        _loaded["raw"] = raw
        _loaded["schema"] = schemathesis.openapi.from_dict(raw)
    return _loaded["raw"], _loaded["schema"]


def _error_shaped(body) -> bool:
    return (isinstance(body, dict) and isinstance(body.get("code"), str)
            and isinstance(body.get("status"), int) and isinstance(body.get("message"), str))


def check(app, response) -> None:
    """Raise NonConformingAnswer unless `response` is what the document promises."""
    request = response.request
    method, path = request.method.upper(), request.path
    if not path.startswith("/api/v1/") or path == DOC or method in ("HEAD", "OPTIONS"):
        return
    raw, schema = document(app)
    where = f"{method} {request.full_path.rstrip('?')} → {response.status_code}"
    operation = schema.find_operation_by_path(method, path)
    if operation is None:
        body = response.get_json(silent=True)
        if response.status_code == 405 and response.headers.get("Allow") and _error_shaped(body):
            CHECKED[("(no such method)", 405)] += 1
            return
        if response.status_code == 404 and _error_shaped(body):
            CHECKED[("(no such path)", 404)] += 1
            return
        raise NonConformingAnswer(f"{where}: not an operation of the OpenAPI document")
    documented = raw["paths"][operation.path][operation.method.lower()]["responses"]
    if str(response.status_code) not in documented:
        raise NonConformingAnswer(
            f"{where}: status not documented for {operation.method.upper()} {operation.path} "
            f"(documented: {', '.join(sorted(documented))}); body {response.get_data()[:300]!r}")
    try:
        operation.validate_response(Response.from_wsgi(response))
    except BaseExceptionGroup as exc:  # schemathesis: a group of failures, each in words
        words = "\n\n".join(str(e) for e in exc.exceptions)
        raise NonConformingAnswer(f"{where}: the body does not match the document:\n{words}") \
            from None
    CHECKED[(f"{operation.method.upper()} {operation.path}", response.status_code)] += 1


class ConformingClient(FlaskClient):
    """A Flask test client whose every API answer must match the OpenAPI document."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        check(self.application, response)
        return response
