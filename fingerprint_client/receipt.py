"""A receipt for one case, for the police or a helpline (`export`), as JSON and as plain text.

It holds what proves the request was made: the case ids, the service (profile name and URL), the
program, the fingerprints with their ids and statuses, and the timeline. It never holds an
image, a file name, a path, the PIN or the case label (labels often hold a name; the person can
add what they choose when they hand the receipt over).
"""

from __future__ import annotations

from typing import Any

from fingerprint_client import CLIENT_NAME, __version__
from fingerprint_client.store_models import CaseRecord, EventRecord

RECEIPT_FORMAT = "fingerprint-client-receipt/1"

PROGRAM_NAMES = {
    "under18": "Take It Down style (image taken under 18)",
    "adult": "StopNCII style (image taken at 18 or older)",
}

EXPLANATION = (
    "This receipt lists fingerprints (hashes) of images that were reported to a takedown "
    "service so that participating platforms can block copies. It contains no images, no file "
    "names and no file locations. Keep it private: someone who holds the same file can confirm "
    "from the exact fingerprints (MD5, SHA-256) that it was reported, and a perceptual "
    "fingerprint (PDQ) can be partly turned back into a blurry likeness."
)


def build_receipt(case: CaseRecord, events: list[EventRecord], generated_at: str) -> dict[str, Any]:
    """The receipt as a JSON-ready dict."""
    return {
        "format": RECEIPT_FORMAT,
        "generated_at": generated_at,
        "client": {"name": CLIENT_NAME, "version": __version__},
        "local_id": case.local_id,
        "case_id": case.case_id,
        "status": case.status,
        "program": case.program,
        "service": {"profile": case.profile, "url": case.profile_url},
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "hashes": [h.to_json() for h in case.hashes],
        "events": [e.to_json() for e in events],
        "explanation": EXPLANATION,
    }


def _hash_line(h: dict[str, Any]) -> list[str]:
    head = f"  - {h['algorithm']}"
    if h.get("hash_id"):
        head += f" (id {h['hash_id']})"
    head += f", {h.get('media') or 'image'}, status {h.get('status')}"
    if h.get("quality") is not None:
        head += f", quality {h['quality']}"
    lines = [head]
    if h["algorithm"] == "pdq_frames":
        frames = h.get("frames")
        if frames:
            lines.append(f"      {len(frames)} frames:")
            lines += [f"      t={f.get('t')}s {f.get('pdq')}" for f in frames]
        else:
            lines.append("      (value no longer kept)")
    else:
        lines.append(f"      {h.get('value') or '(value no longer kept)'}")
    return lines


def receipt_text(receipt: dict[str, Any]) -> str:
    """The receipt as readable plain text (UTF-8, no markup)."""
    service = receipt["service"]
    program = PROGRAM_NAMES.get(receipt["program"], receipt["program"])
    lines = [
        "TAKEDOWN REQUEST RECEIPT",
        "========================",
        "",
        f"Case number at the service: {receipt['case_id'] or '(not delivered yet)'}",
        f"Case number on this device:  {receipt['local_id']}",
        f"Status:                      {receipt['status']}",
        f"Program:                     {program}",
        f"Service:                     {service['profile']} - {service['url'] or '(unknown)'}",
        f"Created:                     {receipt['created_at']}",
        f"Last updated:                {receipt['updated_at']}",
        f"Receipt made:                {receipt['generated_at']}",
        "",
        f"Fingerprints ({len(receipt['hashes'])}):",
    ]
    for h in receipt["hashes"]:
        lines += _hash_line(h)
    lines += ["", "Timeline:"]
    for e in receipt["events"]:
        line = f"  {e['at']}  {e['status']}"
        if e.get("platform"):
            line += f"  [{e['platform']}: {e.get('action') or ''}]"
        if e.get("detail"):
            line += f"  {e['detail']}"
        lines.append(line)
    lines += [
        "",
        receipt["explanation"],
        "",
        f"Made by {receipt['client']['name']} {receipt['client']['version']}.",
        "",
    ]
    return "\n".join(lines)
