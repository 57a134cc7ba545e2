"""The OpenAPI document tells the truth (issue 10, point 11). It used to say errors were
`{code: integer, status: string}` while every error is `{code: string, status: integer}`, to
document no body for /kpi, /kpi/departments and /grids.geojson, and no error statuses but 422;
405 answers lacked `Allow`. Beyond these checks of the document itself, every answer any test
receives from the API is validated against it (tests/openapi_conformance.py, wired into every
app's test client by tests/conftest.py)."""

import json

import pytest

from tests.openapi_conformance import NonConformingAnswer, check

DOC = "/api/v1/openapi.json"
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture
def doc(client):
    return client.get(DOC).json


def operations(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def test_the_error_schema_is_the_shape_errors_have(doc, client):
    error = doc["components"]["schemas"]["Error"]
    assert {name: error["properties"][name]["type"] for name in ("code", "status", "message")} \
        == {"code": "string", "status": "integer", "message": "string"}
    assert set(error["required"]) == {"code", "status", "message"}
    problems = error["properties"]["error_codes"]["additionalProperties"]["items"]
    assert problems == {"$ref": "#/components/schemas/Problem"}
    body = client.get("/api/v1/me").json  # and an error as it is
    assert (type(body["code"]), type(body["status"])) == (str, int)


def test_every_operation_documents_the_body_it_answers_with(doc):
    missing = []
    for name, operation in operations(doc):
        success = {s: r for s, r in operation["responses"].items() if s in ("200", "201")}
        if not success or not all(r.get("content") for r in success.values()):
            missing.append(name)
    assert missing == []
    kpi = doc["paths"]["/api/v1/kpi"]["get"]["responses"]["200"]["content"]
    assert kpi["application/json"]["schema"] == {"$ref": "#/components/schemas/KpiReport"}
    photo = doc["paths"]["/api/v1/photos/{photo_id}/{rendition}"]["get"]["responses"]["200"]
    assert list(photo["content"]) == ["image/jpeg"]


def test_every_operation_documents_the_errors_it_gives(doc):
    statuses = {name: set(op["responses"]) for name, op in operations(doc)}
    for name, operation in operations(doc):
        if operation.get("security"):
            assert "401" in statuses[name], name  # every bearer endpoint
    expected = {
        "GET /api/v1/kpi": {"401", "403", "422"},
        "GET /api/v1/kpi/departments": {"401", "403", "422"},
        "GET /api/v1/tickets/{number}": {"401", "404"},
        "POST /api/v1/tickets/{number}/actions": {"401", "403", "404", "409", "413", "422",
                                                  "429"},
        "POST /api/v1/incidents": {"401", "403", "413", "422", "429"},
        "GET /api/v1/photos/{photo_id}/{rendition}": {"401", "404"},
        "POST /api/v1/auth/token": {"401", "422", "429"},
        "PUT /api/v1/admin/routing-rules": {"401", "403", "409", "422", "428"},
    }
    for name, codes in expected.items():
        assert codes <= statuses[name], name
    error = {"$ref": "#/components/schemas/Error"}
    unauthorized = doc["components"]["responses"]["UNAUTHORIZED"]
    assert unauthorized["content"]["application/json"]["schema"] == error


def test_a_method_not_allowed_says_which_are(client):
    r = client.delete("/api/v1/me")
    assert (r.status_code, r.json["code"]) == (405, "method_not_allowed")
    assert set(r.headers["Allow"].split(", ")) >= {"GET"}
    r = client.put("/login")  # pages alike
    assert r.status_code == 405 and set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_kpi_and_intake_authenticate_before_they_read_anything(client):
    for r in (client.get("/api/v1/kpi", query_string={"from": "not a date", "scope": "x:y"}),
              client.get("/api/v1/kpi/departments"),
              client.post("/api/v1/incidents", data={"lat": "north"},
                          content_type="multipart/form-data")):
        assert (r.status_code, r.json["code"]) == (401, "unauthorized")


def test_the_suite_wide_check_catches_an_answer_the_document_does_not_promise(app, client):
    """What tests/openapi_conformance.py does to every answer: an error in the old documented
    shape, an undocumented status and an unknown operation are each refused."""
    r = client.get("/api/v1/tickets/2026-999999", headers={"Authorization": "Bearer x"})
    assert r.status_code == 401
    check(app, r)  # the real answer conforms
    r.set_data(json.dumps({"code": 401, "status": "Unauthorized", "message": "x"}))
    with pytest.raises(NonConformingAnswer, match="does not match"):
        check(app, r)
    r.status_code = 418
    with pytest.raises(NonConformingAnswer, match="status not documented"):
        check(app, r)


def test_a_body_that_is_no_json_is_refused_with_a_code_not_english(client):
    """It used to be a 400 whose problem "code" was webargs' sentence "Invalid JSON body."."""
    r = client.post("/api/v1/auth/token", data="{no json", content_type="application/json")
    assert (r.status_code, r.json["code"]) == (422, "invalid_input")
    assert r.json["error_codes"] == {"_": [{"code": "invalid_json", "params": {}}]}


def test_every_operation_says_it_may_answer_503_when_the_database_drops(doc):
    """A dropped connection on a request that is not safe to repeat is a 503 with Retry-After
    (dispatch/http/resilience.py); any operation may give it."""
    missing = [name for name, op in operations(doc) if "503" not in op["responses"]]
    assert not missing
