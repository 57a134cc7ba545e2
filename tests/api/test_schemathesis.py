"""schemathesis over the whole OpenAPI document, in process (WSGI, no server), for five kinds
of person on both databases: no answer may be a 5xx, and every answer must match the document.

Each operation gets a bounded number of generated requests, positive (fitting the document) and
negative (not fitting it), derandomized so every run sends the same requests and the run stays
well inside CI's budget. Requests go through the suite's own test client, so the suite-wide
conformance check (tests/openapi_conformance.py: status documented, body as documented, 405
with Allow) judges them too, next to schemathesis's checks. A failing request does not stop
the run: every distinct failure is collected and listed together at the end, with the number
of requests sent (printed for the closing note of issue 10)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.helpers import jpeg
from tests.openapi_conformance import FUZZED as SENT
from tests.openapi_conformance import NonConformingAnswer

PERSONS = {"anonymous": None, "grid_worker": "worker1", "handler": "handler.municipal",
           "dispatcher": "dispatcher", "admin": "admin"}
EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 4}  # per operation and person


def _settings(examples: int):
    return settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))


def _failure(exc: BaseException) -> str:
    """One line that tells failures apart (not the generated values)."""
    if isinstance(exc, NonConformingAnswer):
        first = str(exc).splitlines()[0]
        return first.split(" → ")[-1] if " → " in first else first
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(sorted({str(e).splitlines()[0] for e in exc.exceptions}))
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


class Person:
    """Sends one person's generated requests and keeps their failures, counted by kind."""

    def __init__(self, name, client, headers, backend, failures):
        self.name, self.client, self.headers = name, client, headers
        self.backend, self.failures = backend, failures

    def send(self, operation, case) -> None:
        SENT[(self.backend, self.name)] += 1
        try:
            response = case.call(session=self.client, headers=self.headers)
            case.validate_response(response, checks=[not_a_server_error,
                                                     response_schema_conformance])
        except (Exception, BaseExceptionGroup) as exc:  # every failure is listed at the end
            key = (f"{operation.method.upper()} {operation.path}", self.name, _failure(exc))
            self.failures[key] = self.failures.get(key, 0) + 1

    def fuzz(self, operation, mode, examples) -> None:
        @_settings(examples)
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            self.send(operation, case)

        try:
            run()
        except Unsatisfiable:
            pass  # nothing negative to say about an operation without parameters


def test_no_5xx_and_every_answer_as_documented(app, api, backend, demo_rules):
    ticket = api.report("worker1", photos=[jpeg()]).json  # something to find, not only 404s
    assert ticket["number"]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: dict[tuple[str, str, str], int] = {}
    for name, username in PERSONS.items():
        person = Person(name, app.test_client(), api.headers(username) if username else {},
                        backend, failures)
        for operation in operations:
            for mode, examples in EXAMPLES.items():
                person.fuzz(operation, mode, examples)
    total = sum(n for (db, _), n in SENT.items() if db == backend)
    by_person = ", ".join(f"{p} {SENT[(backend, p)]}" for p in PERSONS)
    print(f"\nschemathesis on {backend}: {total} requests ({by_person}); "
          f"{len(failures)} distinct failures")
    listed = "\n".join(f"{n:4d}× {op} as {who}: {what}"
                       for (op, who, what), n in sorted(failures.items()))
    assert not failures, f"schemathesis on {backend}:\n{listed}"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}
