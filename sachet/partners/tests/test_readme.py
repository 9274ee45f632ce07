"""The README's Partners commands, run as written (curl's options read from the README) through the test client."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from cases.models import Case
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[3] / "README.md"
PEOPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person>
  <pfif:person_record_id>childline.example.org/p.1</pfif:person_record_id><pfif:full_name>Rohan Verma</pfif:full_name>
</pfif:person></pfif:pfif>"""


def readme_commands() -> list[list[str]]:
    section = README.read_text().split("\n## Partners\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.startswith("curl ")]


def run(client, words: list[str], key: str):
    headers, fields, files, body, url = {}, {}, {}, None, None
    words = [w.replace("$KEY", key) for w in words[1:]]
    while words:
        word = words.pop(0)
        if word == "-H":
            name, _, value = words.pop(0).partition(": ")
            headers["HTTP_" + name.upper().replace("-", "_")] = value
        elif word == "-F":
            name, _, value = words.pop(0).partition("=")
            if value.startswith("@"):
                files[name] = SimpleUploadedFile(value[1:], Path(value[1:]).read_bytes(), content_type="image/jpeg")
            else:
                fields[name] = value
        elif word in ("-d", "--data-binary"):
            value = words.pop(0)
            body = Path(value[1:]).read_bytes() if value.startswith("@") else value.encode()
        else:
            url = word
    path = re.sub(r"^http://127\.0\.0\.1:8000", "", url)
    if fields or files:
        return client.post(path, {**fields, **files}, **headers)
    if body is not None:
        content_type = headers.pop("HTTP_CONTENT_TYPE")
        return client.post(path, body, content_type=content_type, **headers)
    return client.get(path, **headers)


def test_every_partners_command_in_the_readme_works(client, make_case, make_key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "meera.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "people.xml").write_bytes(PEOPLE)
    make_case(reference="MC20261130A1B2C3D4")
    call_command("recalculate_analytics", stdout=None)
    _row, key = make_key("read", "write", "analytics")
    commands = readme_commands()
    assert len(commands) == 9
    for words in commands:
        response = run(client, words, key)
        assert 200 <= response.status_code < 300, (words, response.status_code, response.content[:300])
    assert Case.objects.filter(name="Meera Joshi", source_domain="childline.example.org").exists()
    assert Case.objects.filter(source_record="childline.example.org/p.1").exists()
