"""The type of every text parameter that is drawn: titles, labels, captions.

Characters XML 1.0 cannot hold (C0 controls other than tab and line breaks, U+FFFE and
U+FFFF; pydantic already refuses lone surrogates) are refused, so that SVG output stays
well-formed and no renderer meets a character it has no glyph or meaning for. The rule is
a schema `pattern`, so it is both enforced and stated in the spec.
"""

from typing import Annotated

from pydantic import Field

DRAWN_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$"
DRAWN_TEXT_MESSAGE = "must not contain control characters other than tab and line breaks"

DrawnText = Annotated[str, Field(pattern=DRAWN_TEXT_PATTERN)]
