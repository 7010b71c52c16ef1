"""`imagegen` with placeholders and QR codes rendered in render processes too, as if they
declared `heavy`: what bench/loop.py compares with the shipped choice (threads).

    .venv/bin/python -m bench.cheap_in_processes serve --port 8001
"""

import sys

from imagegen.cli import main
from imagegen.generators.placeholder import Placeholder
from imagegen.generators.qr import QR

# `imagegen serve` with one worker builds its app in this process, from these classes.
Placeholder.heavy = QR.heavy = True

if __name__ == "__main__":
    sys.exit(main())
