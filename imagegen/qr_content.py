"""What a QR code says, built from structured fields: Wi-Fi, contacts, places, messages.

Phones act on a few payload conventions: `WIFI:` joins a network, a vCard or a MeCard
adds a contact, `geo:` opens a map, `mailto:`, `tel:` and `SMSTO:` start a message or a
call. Each has its own escaping, easy to get wrong by hand (a `;` in a Wi-Fi password
ends it early). Each model here validates its fields and `payload()` writes the text,
escaped as its convention says.
"""

from typing import Annotated, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

# Fields are short by nature; the whole payload is still bounded by the code's capacity.
MAX_FIELD_LENGTH = 200
MAX_NOTE_LENGTH = 1000
_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # no control characters but tab, breaks
_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"  # one line

Text = Annotated[str, Field(min_length=1, max_length=MAX_FIELD_LENGTH, pattern=_LINE_PATTERN)]
Note = Annotated[str, Field(min_length=1, max_length=MAX_NOTE_LENGTH, pattern=_TEXT_PATTERN)]
Phone = Annotated[
    str,
    Field(
        pattern=r"^\+?[0-9][0-9 ().\-]{1,30}$",
        description="A phone number: digits, with an optional leading `+` and spaces, "
        "dots, dashes or brackets, which are dropped.",
        examples=["+1 555 010 0199"],
    ),
]
Email = Annotated[
    str,
    Field(
        max_length=254,
        pattern=r"^[^\s@<>()\[\]\\,;:\"?&#%]+@[^\s@<>()\[\]\\,;:\"?&#%]+\.[^\s@<>()\[\]\\,;:\"?&#%]+$",
        description="An e-mail address, `name@example.com`.",
        examples=["ada@example.com"],
    ),
]


def _present(*fields: tuple[str, str | bool | None]) -> list[str]:
    """`NAME:value` of each field with a value, in order."""
    return [f"{name}:{value}" for name, value in fields if value]


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _digits(phone: str) -> str:
    """`phone` as `+` and digits only: the visual separators readers do not want."""
    return ("+" if phone.startswith("+") else "") + "".join(c for c in phone if c.isdigit())


def escape_wifi(value: str) -> str:
    """`value` for a `WIFI:` field: `\\`, `;`, `,`, `:` and `"` escaped with a backslash."""
    return "".join("\\" + c if c in '\\;,:"' else c for c in value)


def escape_mecard(value: str) -> str:
    """`value` for a MeCard field: `\\`, `;`, `,`, `:` and `"` escaped with a backslash,
    line breaks as spaces (a MeCard field is one line)."""
    return escape_wifi(" ".join(value.splitlines()))


def escape_vcard(value: str) -> str:
    """`value` as a vCard 3.0 text value (RFC 2426 §4): `\\`, `,` and `;` escaped, line
    breaks written `\\n`."""
    escaped = "".join("\\" + c if c in "\\,;" else c for c in value)
    return "\\n".join(escaped.splitlines()) if escaped else escaped


class WiFi(_Fields):
    """`WIFI:T:WPA;S:<ssid>;P:<password>;H:true;;`: a phone that scans it offers to join."""

    ssid: str = Field(
        min_length=1,
        max_length=32,
        pattern=_LINE_PATTERN,
        description="The network's name (SSID), at most 32 characters.",
        examples=["Home"],
    )
    password: str | None = Field(
        None,
        min_length=1,
        max_length=63,
        pattern=_LINE_PATTERN,
        description="The password, at most 63 characters. Required unless `security` is `nopass`.",
    )
    security: Literal["WPA", "WEP", "nopass"] | None = Field(
        None,
        description="`WPA` (WPA, WPA2 and WPA3 alike), `WEP` or `nopass` (an open network). "
        "Default: `WPA` with a password, else `nopass`.",
    )
    # No default in the spec: a client that sends defaults would give a `wifi` alone.
    hidden: bool | None = Field(
        None, description="The network does not broadcast its name (default false)."
    )

    @model_validator(mode="after")
    def _password_matches_security(self) -> "WiFi":
        if self.security == "nopass" and self.password is not None:
            raise PydanticCustomError(
                "wifi",
                "an open network (security=nopass) has no password",
                {"limit": "no password with security=nopass"},
            )
        if self.security in ("WPA", "WEP") and self.password is None:
            raise PydanticCustomError(
                "wifi", f"security={self.security} needs a password", {"limit": "required"}
            )
        return self

    def payload(self) -> str:
        security = self.security or ("WPA" if self.password is not None else "nopass")
        parts = [f"T:{security}", f"S:{escape_wifi(self.ssid)}"]
        if self.password is not None:
            parts.append(f"P:{escape_wifi(self.password)}")
        if self.hidden:
            parts.append("H:true")
        return "WIFI:" + ";".join(parts) + ";;"


class Contact(_Fields):
    """A person or business card, written as a vCard 3.0 or a MeCard."""

    first_name: Text | None = Field(None, description="Given name.", examples=["Ada"])
    last_name: Text | None = Field(None, description="Family name.", examples=["Lovelace"])
    organization: Text | None = Field(None, description="Company or organisation.")
    phone: Phone | None = None
    email: Email | None = None
    url: Text | None = Field(None, description="A web address.")
    street: Text | None = Field(None, description="Street address.")
    city: Text | None = Field(None, description="City or town.")
    region: Text | None = Field(None, description="State, province or region.")
    postcode: Text | None = Field(None, description="Postal code.")
    country: Text | None = Field(None, description="Country.")
    note: Note | None = Field(None, description="Free text; line breaks are kept in a vCard.")

    @model_validator(mode="after")
    def _named(self) -> "Contact":
        if not (self.first_name or self.last_name or self.organization):
            raise PydanticCustomError(
                "contact",
                "give first_name, last_name or organization: a card needs a name",
                {"limit": "first_name, last_name or organization required"},
            )
        return self

    @property
    def _address(self) -> list[str]:
        parts = (self.street, self.city, self.region, self.postcode, self.country)
        return [part or "" for part in parts]


class VCard(Contact):
    """A contact as a vCard 3.0 (RFC 2426)."""

    title: Text | None = Field(None, description="Job title.")

    def payload(self) -> str:
        """A vCard 3.0 (RFC 2426), lines ending in CRLF as it says."""
        first, last = self.first_name or "", self.last_name or ""
        full = " ".join(part for part in (first, last) if part) or self.organization or ""
        lines = [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"N:{escape_vcard(last)};{escape_vcard(first)};;;",
            f"FN:{escape_vcard(full)}",
        ]
        address = ";;" + ";".join(escape_vcard(p) for p in self._address)
        lines += _present(
            ("ORG", self.organization and escape_vcard(self.organization)),
            ("TITLE", self.title and escape_vcard(self.title)),
            ("TEL;TYPE=VOICE", self.phone and _digits(self.phone)),
            ("EMAIL;TYPE=INTERNET", self.email),
            ("URL", self.url and escape_vcard(self.url)),
            ("ADR;TYPE=WORK", any(self._address) and address),
            ("NOTE", self.note and escape_vcard(self.note)),
        )
        lines.append("END:VCARD")
        return "\r\n".join(lines)


class MeCard(Contact):
    """A contact as a MeCard (NTT Docomo's format): shorter than a vCard, read by most
    phones."""

    def payload(self) -> str:
        name = ",".join(
            escape_mecard(part) for part in (self.last_name, self.first_name) if part
        ) or escape_mecard(self.organization or "")
        named = self.first_name or self.last_name
        address = ", ".join(part for part in self._address if part)
        fields = _present(
            ("N", name),
            ("ORG", named and self.organization and escape_mecard(self.organization)),
            ("TEL", self.phone and _digits(self.phone)),
            ("EMAIL", self.email and escape_mecard(self.email)),
            ("URL", self.url and escape_mecard(self.url)),
            ("ADR", address and escape_mecard(address)),
            ("NOTE", self.note and escape_mecard(self.note)),
        )
        return "MECARD:" + ";".join(fields) + ";;"


def _coordinate(value: float) -> str:
    """A coordinate with at most 7 decimals (about a centimetre), never in exponent form."""
    text = f"{value:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class Geo(_Fields):
    """`geo:<latitude>,<longitude>` (RFC 5870): opens the place in a map."""

    latitude: float = Field(ge=-90, le=90, description="Degrees north (negative: south).")
    longitude: float = Field(ge=-180, le=180, description="Degrees east (negative: west).")

    def payload(self) -> str:
        return f"geo:{_coordinate(self.latitude)},{_coordinate(self.longitude)}"


class Mail(_Fields):
    """`mailto:<to>?subject=…&body=…` (RFC 6068): a new e-mail, ready to send."""

    to: Email
    subject: Text | None = Field(None, description="Subject line.")
    body: Note | None = Field(None, description="The message; line breaks are kept.")

    def payload(self) -> str:
        headers = [
            f"{name}={quote(value, safe='')}"
            for name, value in (("subject", self.subject), ("body", self.body))
            if value is not None
        ]
        return f"mailto:{self.to}" + ("?" + "&".join(headers) if headers else "")


class Tel(_Fields):
    """`tel:<number>` (RFC 3966): a call, ready to dial."""

    number: Phone

    def payload(self) -> str:
        return f"tel:{_digits(self.number)}"


class Sms(_Fields):
    """`SMSTO:<number>:<body>`: a text message, ready to send."""

    number: Phone
    body: Note | None = Field(None, description="The message.")

    def payload(self) -> str:
        return f"SMSTO:{_digits(self.number)}:{self.body or ''}"


#: The content helpers by parameter name, in the order the docs list them.
CONTENT_MODELS: dict[str, type[WiFi | VCard | MeCard | Geo | Mail | Tel | Sms]] = {
    "wifi": WiFi,
    "vcard": VCard,
    "mecard": MeCard,
    "geo": Geo,
    "email": Mail,
    "tel": Tel,
    "sms": Sms,
}
