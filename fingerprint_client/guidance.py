"""The advice and contacts fingerprint-client shows, in plain words.

This module is core: no Textual. The TUI shows these sections on its help screen and the command
line can print them (`render_plain`). Sources: Europol's #SayNo campaign and the EU's Safer
Internet Centres. Contact data carries the date it was last checked (`LAST_CHECKED`); check it
again before a release and update the date.
"""

from __future__ import annotations

from dataclasses import dataclass

LAST_CHECKED = "2026-11-23"
"""The day the contacts below were last checked (ISO date)."""


@dataclass(frozen=True)
class Contact:
    """One place to get help."""

    name: str
    reach: str
    who: str


@dataclass(frozen=True)
class Section:
    """One block of guidance: a short title and a few plain paragraphs."""

    title: str
    paragraphs: tuple[str, ...]


EMERGENCY = Contact("Emergency services (EU)", "112", "If you are in danger now.")
CHILD_HELPLINE = Contact(
    "Child helplines in the EU", "116 111", "Free and confidential, for children and young people."
)
SAFER_INTERNET = Contact(
    "Safer Internet Centres",
    "https://www.betterinternetforkids.eu",
    "Find the helpline of your country.",
)
TAKE_IT_DOWN = Contact(
    "Take It Down (NCMEC)",
    "https://takeitdown.ncmec.org",
    "For images taken when you were under 18.",
)
STOP_NCII = Contact(
    "StopNCII", "https://stopncii.org", "For images taken when you were 18 or older."
)

CONTACTS: tuple[Contact, ...] = (
    EMERGENCY,
    CHILD_HELPLINE,
    SAFER_INTERNET,
    TAKE_IT_DOWN,
    STOP_NCII,
)

WHAT_THIS_DOES = (
    "fingerprint-client makes a fingerprint (a hash) of your images here on your device and asks "
    "a takedown service to block copies of them on participating platforms."
)
PRIVACY_PROMISE = (
    "Only the fingerprints leave this device - never the images, their names or where they are "
    "kept - and you see exactly what is sent before anything is sent."
)

NO_SERVICE = (
    "No real takedown service is set up in this app yet. You can still make a request directly: "
    "if the image was taken when you were under 18, go to takeitdown.ncmec.org; if you were 18 "
    "or older, go to stopncii.org."
)

ADVICE: tuple[Section, ...] = (
    Section(
        "If you are in danger now",
        ("Call 112. It is free from any phone in the EU.",),
    ),
    Section(
        "It is not your fault",
        (
            "Someone else chose to share or threaten to share your image. You are not to blame, "
            "and you do not have to deal with it alone.",
        ),
    ),
    Section(
        "What helps right now",
        (
            "Do not pay, and do not send more images. Paying rarely makes it stop.",
            "Keep the evidence: messages, usernames, links and dates. Deactivate accounts rather "
            "than delete them, so the evidence is not lost.",
            "Block the person, and check the privacy settings of your accounts.",
            "Report it to the platform where it happened, and to the police.",
            "Talk to someone you trust. Helplines listen and help - 116 111 for children and "
            "young people, and your national Safer Internet Centre (betterinternetforkids.eu).",
        ),
    ),
    Section(
        "Which service",
        (
            "Image taken when you were under 18: Take It Down (takeitdown.ncmec.org).",
            "Image taken when you were 18 or older: StopNCII (stopncii.org).",
        ),
    ),
)

HASH_EXPLAINED: tuple[Section, ...] = (
    Section(
        "What a fingerprint (hash) is",
        (
            "A hash is a short code computed from the picture, here on your device. Platforms "
            "compute the same code for uploads and block the ones that match. The image itself "
            "is never sent.",
        ),
    ),
    Section(
        "What a hash reveals",
        (
            "Someone who already has the same file can check, from the exact hashes (MD5, "
            "SHA-256), that it was reported.",
            "Perceptual hashes (PDQ) can be partly turned back into a very blurry likeness.",
            "The service sees your internet address (IP address) when you send. A proxy or Tor "
            "hides it; the app uses the proxy set in your environment.",
        ),
    ),
    Section(
        "What a hash cannot do",
        (
            "A copy that was cropped, edited or filtered may no longer match. If you find such a "
            "copy, you can add it to your request as a new image.",
            "Only participating platforms check the hashes; others are not reached.",
        ),
    ),
)


def contact_lines() -> list[str]:
    """The contacts as plain lines, with the date they were last checked."""
    lines = [f"{c.name}: {c.reach} - {c.who}" for c in CONTACTS]
    lines.append(f"(Contacts last checked: {LAST_CHECKED})")
    return lines


def render_plain() -> str:
    """All guidance as plain text for a terminal or a file."""
    out: list[str] = [WHAT_THIS_DOES, PRIVACY_PROMISE, ""]
    for section in (*ADVICE, *HASH_EXPLAINED):
        out.append(section.title)
        out.extend(f"  - {p}" for p in section.paragraphs)
        out.append("")
    out.append("Where to get help")
    out.extend(f"  - {line}" for line in contact_lines())
    return "\n".join(out) + "\n"
