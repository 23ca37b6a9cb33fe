"""Video fingerprints (placeholder until the video issue lands)."""

from __future__ import annotations


def sniff_video(head: bytes) -> str | None:
    """The container name (e.g. "MP4") if `head` starts a supported video file, else None."""
    return None
