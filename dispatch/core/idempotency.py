"""What a report said, as one hash: the same Idempotency-Key must come with the same report.

Why: a phone retries with the key its form was given, so a second request with that key is
normally the first one again, and answers with the first ticket. A different report under a
used key is a client bug (a key reused for the next report) that would otherwise be answered
with someone else's ticket as if it were this one's. The hash covers what makes the ticket: the
category, the description as stored, the point and its datum, and each photo's bytes.
"""

import hashlib
import json
from typing import Any


def fingerprint(form: dict[str, Any], photos: list[bytes]) -> str:
    fields = {"category": form.get("category"),
              "description": (form.get("description") or "").strip(),
              "lat": form.get("lat"), "lng": form.get("lng"),
              "coord_system": form.get("coord_system") or "wgs84",
              "photos": [hashlib.sha256(p).hexdigest() for p in photos]}
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def same_request(stored: str | None, incoming: str) -> bool:
    """A ticket filed before hashes were kept (None) cannot tell: it replays."""
    return stored is None or stored == incoming
