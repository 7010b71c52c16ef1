"""QR content helpers: each payload built and escaped exactly, and decoded by zxing-cpp
to that exact string, from a query string (`wifi.ssid=…`) and from a JSON body."""

import io

import pytest
import zxingcpp
from PIL import Image

CASES = [
    (
        {"wifi.ssid": 'My "Home"; net', "wifi.password": r"p\a:s,s;"},
        {"wifi": {"ssid": 'My "Home"; net', "password": r"p\a:s,s;"}},
        'WIFI:T:WPA;S:My \\"Home\\"\\; net;P:p\\\\a\\:s\\,s\\;;;',
    ),
    (
        {"wifi.ssid": "Cafe", "wifi.hidden": "true", "wifi.security": "nopass"},
        {"wifi": {"ssid": "Cafe", "hidden": True, "security": "nopass"}},
        "WIFI:T:nopass;S:Cafe;H:true;;",
    ),
    (
        {"wifi.ssid": "Old", "wifi.password": "12345", "wifi.security": "WEP"},
        {"wifi": {"ssid": "Old", "password": "12345", "security": "WEP"}},
        "WIFI:T:WEP;S:Old;P:12345;;",
    ),
    (
        {
            "vcard.first_name": "Ada",
            "vcard.last_name": "Lovelace, Countess",
            "vcard.organization": "Analytical; Engines",
            "vcard.phone": "+44 (20) 7946-0018",
            "vcard.email": "ada@example.com",
            "vcard.city": "London",
            "vcard.note": "Line one\nline two",
        },
        {
            "vcard": {
                "first_name": "Ada",
                "last_name": "Lovelace, Countess",
                "organization": "Analytical; Engines",
                "phone": "+44 (20) 7946-0018",
                "email": "ada@example.com",
                "city": "London",
                "note": "Line one\nline two",
            }
        },
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace\\, Countess;Ada;;;\r\n"
        "FN:Ada Lovelace\\, Countess\r\nORG:Analytical\\; Engines\r\n"
        "TEL;TYPE=VOICE:+442079460018\r\nEMAIL;TYPE=INTERNET:ada@example.com\r\n"
        "ADR;TYPE=WORK:;;;London;;;\r\nNOTE:Line one\\nline two\r\nEND:VCARD",
    ),
    (
        {
            "mecard.first_name": "Ada",
            "mecard.last_name": "Lovelace",
            "mecard.phone": "+44 20 7946 0018",
            "mecard.url": "https://example.com/a;b",
        },
        {
            "mecard": {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "phone": "+44 20 7946 0018",
                "url": "https://example.com/a;b",
            }
        },
        "MECARD:N:Lovelace,Ada;TEL:+442079460018;URL:https\\://example.com/a\\;b;;",
    ),
    (
        {"geo.latitude": "48.8583701", "geo.longitude": "2.2944813"},
        {"geo": {"latitude": 48.8583701, "longitude": 2.2944813}},
        "geo:48.8583701,2.2944813",
    ),
    (
        {"geo.latitude": "-33.5", "geo.longitude": "-70"},
        {"geo": {"latitude": -33.5, "longitude": -70}},
        "geo:-33.5,-70",
    ),
    (
        {"email.to": "ada@example.com", "email.subject": "Hi & bye?", "email.body": "50% off\nnow"},
        {"email": {"to": "ada@example.com", "subject": "Hi & bye?", "body": "50% off\nnow"}},
        "mailto:ada@example.com?subject=Hi%20%26%20bye%3F&body=50%25%20off%0Anow",
    ),
    (
        {"tel.number": "+1 (555) 010-0199"},
        {"tel": {"number": "+1 (555) 010-0199"}},
        "tel:+15550100199",
    ),
    (
        {"sms.number": "+1 555 010 0199", "sms.body": "On my way: 5 min"},
        {"sms": {"number": "+1 555 010 0199", "body": "On my way: 5 min"}},
        "SMSTO:+15550100199:On my way: 5 min",
    ),
]


def read(content: bytes) -> list[str]:
    image = Image.open(io.BytesIO(content)).convert("RGB")
    return [r.text for r in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize(("query", "body", "payload"), CASES, ids=[c[2][:12] for c in CASES])
def test_helpers_build_and_escape_the_exact_payload(client, query, body, payload):
    from_query = client.get("/qr.png", params={**query, "size": 400})
    assert from_query.status_code == 200, from_query.text
    assert read(from_query.content) == [payload]
    from_body = client.post("/qr.png", json={**body, "size": 400})
    assert from_body.status_code == 200, from_body.text
    assert from_body.content == from_query.content
    same_as_data = client.get("/qr.png", params={"data": payload, "size": 400})
    assert same_as_data.content == from_query.content


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"wifi.password": "x"}, "wifi.ssid"),
        ({"wifi.ssid": "x" * 33}, "wifi.ssid"),
        ({"wifi.ssid": "a", "wifi.security": "WPA"}, "wifi"),
        ({"wifi.ssid": "a", "wifi.security": "nopass", "wifi.password": "p"}, "wifi"),
        ({"wifi.ssid": "a", "wifi.channel": "6"}, "wifi.channel"),
        ({"vcard.note": "no name"}, "vcard"),
        ({"vcard.last_name": "x", "vcard.email": "not an address"}, "vcard.email"),
        ({"geo.latitude": "91", "geo.longitude": "0"}, "geo.latitude"),
        ({"geo.latitude": "1"}, "geo.longitude"),
        ({"tel.number": "call me"}, "tel.number"),
        ({"sms.number": "+1 555", "sms.body": "bad\x07bell"}, "sms.body"),
        ({"data": "x", "tel.number": "+15550100199"}, "tel"),
        ({"tel.number": "+15550100199", "sms.number": "+15550100199"}, "sms"),
        ({}, "data"),
    ],
)
def test_bad_helper_fields_get_a_422_naming_them(client, params, parameter):
    response = client.get("/qr", params=params)
    assert response.status_code == 422, response.text
    problems = response.json()["parameters"]
    assert parameter in [p["parameter"] for p in problems]
    assert all(p["limit"] is not None for p in problems), "each refusal states its limit"


def test_latin1_charset_writes_iso_8859_1_bytes(client):
    response = client.get("/qr.png", params={"data": "café 5 €", "charset": "iso-8859-1"})
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == "data"
    latin = client.get("/qr.png", params={"data": "café", "charset": "ISO-8859-1"})
    (result,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(latin.content)).convert("RGB"))
    assert result.text == "café"
    assert result.bytes == "café".encode("latin-1")


def test_spec_documents_helper_fields_as_dotted_query_parameters(app):
    parameters = {p["name"]: p for p in app.openapi()["paths"]["/qr"]["get"]["parameters"]}
    assert parameters["wifi.ssid"]["schema"]["maxLength"] == 32
    assert "Required with `wifi`" in parameters["wifi.ssid"]["description"]
    assert parameters["geo.latitude"]["schema"]["maximum"] == 90
    assert "wifi" not in parameters
