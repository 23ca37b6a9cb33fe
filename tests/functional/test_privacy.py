"""A whole session against the recording mock service: nothing of the images - no marker from
folder names, file names or EXIF, no path, no image bytes (raw or base64) - is in any request."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

from tests.fixtures.cli_runs import MARKERS, Fc
from tests.fixtures.mock_service import MockServiceHandle

LABEL = "zqlabelMARK2291 for Alex"
API_KEY = "zqapikeyMARK8123"


def _image_windows(folder: Path) -> list[bytes]:
    """Distinctive byte windows of every picture: raw, and base64 at each alignment."""
    windows: list[bytes] = []
    for picture in sorted(folder.rglob("*.jpg")):
        data = picture.read_bytes()
        for frac in (0.25, 0.5, 0.75):
            at = int(len(data) * frac) // 3 * 3
            raw = data[at : at + 24]
            windows.append(raw)
            for shift in range(3):
                windows.append(base64.b64encode(data[at + shift : at + shift + 30])[4:-4])
        windows.append(data[:64])  # the JPEG/EXIF header
    return windows


def test_whole_session_sends_nothing_of_the_images(
    fc: Fc,
    mock_service_factory: Callable[..., MockServiceHandle],
    marked_pictures: Path,
    tmp_path: Path,
) -> None:
    service = mock_service_factory(api_key=API_KEY, max_hashes_per_request=4)
    res = fc("profiles", "add", "mock", "--url", service.url, "--api-key-stdin", input=API_KEY)
    assert res.code == 0, res.err
    res = fc("submit", str(marked_pictures), "--program", "adult", "--yes", "--json",
             "--label", LABEL)  # fmt: skip
    assert res.code == 0, res.err
    case = json.loads(res.out)
    assert len(case["hashes"]) == 9  # 3 pictures, recursively
    service.advance(case["case_id"], "active")
    assert fc("sync").code == 0
    assert fc("status", case["local_id"]).code == 0
    assert fc("cases").code == 0
    assert fc("check", str(marked_pictures)).code in (0, 1)
    one = case["hashes"][0]["hash_id"]
    assert fc("withdraw", case["local_id"], "--hash", one, "--yes").code == 0
    assert fc("export", case["local_id"], "--output", str(tmp_path / "receipt")).code == 0
    assert fc("withdraw", case["local_id"], "--yes").code == 0
    assert fc("status", case["case_id"], "--json").code == 0  # ids may start with "-"

    records = service.records()
    assert len([r for r in records if r["method"] == "POST"]) >= 5
    assert any(r["method"] == "GET" and r["path"].startswith("/v1/cases/") for r in records)
    sent = service.record_path.read_bytes() if service.record_path else b""
    assert sent
    text = sent.decode("utf-8")
    for marker in [*MARKERS.values(), "zqlabelMARK2291", API_KEY]:
        assert marker not in text, marker
    for fragment in (str(tmp_path), str(marked_pictures), ".jpg", "Exif", "JFIF", "/home"):
        assert fragment not in text, fragment
    for window in _image_windows(marked_pictures):
        assert window not in sent
    for record in records:
        if record["method"] == "POST" and record["path"].startswith("/v1/"):
            body = json.loads(record["body"])
            assert set(body) <= {"program", "hashes", "client"}
            for h in body.get("hashes", []):
                assert set(h) <= {"algorithm", "value", "quality", "media", "frames"}
            if "client" in body:
                assert set(body["client"]) == {"name", "version"}
