"""Every hashing process stays under 500 MB, measured as the peak RSS of a real subprocess.

The peak is the child's own VmHWM: `ru_maxrss` from wait4 would carry over the (large) pytest
parent's resident size across fork + exec and measure the test runner, not the hashing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

LIMIT_MB = 500
_CODE = """
import json, sys
from pathlib import Path
from fingerprint_client.hashing import HashOptions, hash_one
algorithms = tuple(sys.argv[2].split(","))
result = hash_one(Path(sys.argv[1]), HashOptions(algorithms=algorithms)).to_json()
status = Path("/proc/self/status").read_text().splitlines()
peak_kb = int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
print(json.dumps({"result": result, "peak_mb": peak_kb / 1024}))
"""


def _peak(path: Path, algorithms: str = "pdq,md5,sha256") -> tuple[dict[str, object], float]:
    """The JSON result and the peak resident memory (MB) of a process hashing `path`."""
    proc = subprocess.run(
        [sys.executable, "-c", _CODE, str(path), algorithms],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[3],
        check=True,
        timeout=170,
    )
    report = json.loads(proc.stdout)
    return report["result"], float(report["peak_mb"])


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_144_megapixel_png_is_refused_in_bounded_memory(big_images: dict[str, Path]) -> None:
    result, peak = _peak(big_images["png144"])
    assert result["ok"] is False
    assert result["error"]["code"] == "too-large"  # type: ignore[index]
    assert peak < LIMIT_MB


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.parametrize("name", ["png49", "jpeg48"])
def test_big_pictures_hash_under_500_mb(big_images: dict[str, Path], name: str) -> None:
    result, peak = _peak(big_images[name], "pdq,md5,sha256,phash,dhash,whash")
    assert result["ok"] is True, result
    assert peak < LIMIT_MB


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.parametrize("fmt", ["PNG", "HEIF", "AVIF"])
def test_pictures_at_their_size_limit_hash_under_500_mb(
    pictures_at_their_limit: dict[str, Path], fmt: str
) -> None:
    result, peak = _peak(pictures_at_their_limit[fmt], "pdq,md5,sha256,phash,dhash,whash")
    assert result["ok"] is True, result
    assert result["width"] * result["height"] > 40_000_000  # type: ignore[operator]
    assert peak < LIMIT_MB
