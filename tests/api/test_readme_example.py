"""The README's curl example runs as written from a fresh clone: the photo it posts ships with
the demo data and the API accepts the request it makes."""

import re
import shlex
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def readme_incident_request() -> dict:
    """The fields, files and headers of the README's `curl ... /api/v1/incidents` command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
        for command in block.replace("\\\n", " ").splitlines():
            words = shlex.split(command)
            if words[:1] == ["curl"] and any(w.endswith("/api/v1/incidents") for w in words):
                request = {"fields": {}, "files": {}, "headers": {}}
                for flag, value in zip(words, words[1:], strict=False):
                    if flag == "-F":
                        name, _, content = value.partition("=")
                        if content.startswith("@"):
                            request["files"][name] = content[1:]
                        else:
                            request["fields"][name] = content
                    elif flag == "-H":
                        name, _, content = value.partition(": ")
                        request["headers"][name] = content
                return request
    raise AssertionError("no curl command posting to /api/v1/incidents in README.md")


def test_the_readme_photo_ships_with_the_demo_data():
    path = ROOT / readme_incident_request()["files"]["photos"]
    assert path.is_file() and path.stat().st_size < 60_000
    assert path.relative_to(ROOT).parts[:2] == ("boards", "demo")
    with Image.open(path) as photo:
        assert photo.format == "JPEG" and not photo.getexif()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"boards.demo" = ["photos/*.jpg"]' in pyproject  # installed with the package


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_readme_curl_example_files_a_report_with_its_photo(api):
    request = readme_incident_request()
    assert request["fields"].keys() == {"category", "description", "lat", "lng"}
    path = ROOT / request["files"]["photos"]
    headers = api.headers("worker1", **{k: v for k, v in request["headers"].items()
                                        if k != "Authorization"})
    with path.open("rb") as photo:
        r = api.client.post("/api/v1/incidents", content_type="multipart/form-data",
                            data={**request["fields"], "photos": [(photo, path.name)]},
                            headers=headers)
    api.drain()
    assert r.status_code == 201, r.json
    ticket = api.ticket(r.json["number"])
    assert ticket["board"] == "livelihood" and len(ticket["photos"]) == 1
    with path.open("rb") as photo:
        again = api.client.post("/api/v1/incidents", content_type="multipart/form-data",
                                data={**request["fields"], "photos": [(photo, path.name)]},
                                headers=headers)
    assert again.status_code == 200 and again.json["number"] == r.json["number"]
