"""imagegen: dynamic image generation over HTTP (placeholders, QR codes, charts)."""

__version__ = "0.1.0"
