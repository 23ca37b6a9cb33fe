"""Hashing benchmark: fingerprint-client against naive peers, in the same run.

    ./dev bench hashing [--phone N] [--hd N] [--rounds R]

Makes a corpus of phone-like 12 MP JPEGs and 1080p JPEGs (smooth noise, gradients and grain;
quality 90) in a temporary folder, then runs each contender as a whole process, alternating
(A B C D, A B C D, ...), and prints the median wall time of each and the ratios:

* naive pdqhash: full decode to an RGB array, `pdqhash.compute` (installed here on demand:
  it is an sdist that needs a C++ compiler, so it is never a dependency of the product);
* naive imagehash: `imagehash.phash(Image.open(f))`;
* the decode floor: Pillow `draft("RGB", (512, 512))` + `load()` in 2 processes, nothing else;
* ours: `BatchHasher` with the default algorithms (pdq, md5, sha256) and 2 workers, in its own
  process; and, for information, the whole `fingerprint-client hash --json` command.

Then the peak RSS of hashing one 48 MP JPEG: naive pdqhash against ours (`hash_one`, the work
one batch worker does). Targets (2 cores): >= 20x naive pdqhash, >= 5x naive imagehash.phash,
>= 75 % of the decode floor's speed, peak RSS <= 1/10 of naive pdqhash's.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageChops

PY = sys.executable
FC = str(Path(PY).with_name("fingerprint-client"))

NAIVE_PDQ = """
import sys, numpy as np, pdqhash
from PIL import Image
for f in sys.argv[1:]:
    pdqhash.compute(np.asarray(Image.open(f).convert("RGB")))
"""
NAIVE_PHASH = """
import sys, imagehash
from PIL import Image
for f in sys.argv[1:]:
    str(imagehash.phash(Image.open(f)))
"""
FLOOR = """
import sys
from multiprocessing import get_context
from PIL import Image

def load(f):
    im = Image.open(f)
    im.draft("RGB", (512, 512))
    im.load()
    return im.size

if __name__ == "__main__":
    with get_context("fork").Pool(2) as pool:
        list(pool.imap(load, sys.argv[1:], chunksize=1))
"""
OURS = """
import sys
from pathlib import Path
from fingerprint_client.hashing import BatchHasher, FileResult, HashOptions

if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]]
    with BatchHasher(paths, HashOptions(), workers=2) as batch:
        ok = sum(1 for e in batch if isinstance(e, FileResult) and e.ok)
    sys.exit(0 if ok == len(paths) else 1)
"""
PER_FILE = """
import sys, time
from pathlib import Path
from PIL import Image
from fingerprint_client.hashing import HashOptions, hash_one

def floor(path):
    im = Image.open(path)
    im.draft("RGB", (512, 512))
    im.load()

options = HashOptions()
paths = [Path(p) for p in sys.argv[1:]]
for path in paths[:2]:  # warm up: imports and first-use costs are not per-file costs
    floor(path), hash_one(path, options)
for name, work in (("floor", floor), ("ours", lambda p: hash_one(p, options))):
    start = time.process_time()
    for path in paths:
        work(path)
    print(name, (time.process_time() - start) / len(paths) * 1000)
"""
OURS_ONE = """
import sys
from pathlib import Path
from fingerprint_client.hashing import HashOptions, hash_one
sys.exit(0 if hash_one(Path(sys.argv[1]), HashOptions()).ok else 1)
"""


def phone_like(width: int, height: int, seed: int) -> Image.Image:
    """A photo-like colour picture made in C (Pillow): colour blobs, a gradient, detail, grain."""
    small = (max(8, width // 64), max(8, height // 64))
    base = Image.merge("RGB", [Image.effect_noise(small, 70 + 5 * c) for c in range(3)])
    tint = Image.linear_gradient("L").resize(small).convert("RGB")
    base = ImageChops.add(ImageChops.multiply(base, tint), base, scale=1.6)
    mid_size = (width // 8, height // 8)
    sigmas = [20 + seed % 7 + 4 * c for c in range(3)]
    mid = Image.merge("RGB", [Image.effect_noise(mid_size, s) for s in sigmas])
    picture = ImageChops.add(
        base.resize(mid_size, Image.Resampling.BICUBIC), mid, 1.0, -128
    ).resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((width, height), 2).convert("RGB")
    return ImageChops.add(picture, grain, 1.0, -128)


def make_corpus(root: Path, phone: int, hd: int, first: int = 0) -> list[Path]:
    """Write the corpus (run in a child process, so this process stays small for RSS)."""
    paths = []
    for i in range(first, first + phone):
        path = root / f"phone-{i:03d}.jpg"
        phone_like(4032, 3024, i).save(path, quality=90)
        paths.append(path)
    for i in range(first, first + hd):
        path = root / f"hd-{i:03d}.jpg"
        phone_like(1920, 1080, 100 + i).save(path, quality=90)
        paths.append(path)
    return paths


def ensure_pdqhash() -> str | None:
    """None when pdqhash imports (installing it on demand), else why not."""
    probe = [PY, "-c", "import pdqhash"]
    if subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return None
    print("installing pdqhash for the benchmark (it compiles C++; this takes a minute) ...")
    install = subprocess.run(
        [PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "pdqhash"],
        capture_output=True,
        text=True,
        check=False,
    )
    if install.returncode != 0:
        return "pdqhash could not be installed: " + install.stderr.strip().splitlines()[-1]
    return None


def run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB of the process and the children it waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"benchmark step failed: {cmd[:3]} ...\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--make-corpus":
        root = Path(sys.argv[2])
        make_corpus(root, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--make-48mp":
        phone_like(8000, 6000, 7).save(sys.argv[2], quality=90)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phone", type=int, default=160, help="12 MP JPEGs in the corpus")
    parser.add_argument("--hd", type=int, default=40, help="1080p JPEGs in the corpus")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    args = parser.parse_args()
    problem = ensure_pdqhash()
    root = Path(tempfile.mkdtemp(prefix="fc-bench-"))
    try:
        print(f"making {args.phone} x 12 MP and {args.hd} x 1080p JPEGs and one 48 MP JPEG ...")
        make_in_parallel(root, args.phone, args.hd)
        files = sorted(str(p) for p in root.glob("*/*.jpg"))
        big = root / "48mp.jpg"
        contenders: dict[str, list[str]] = {}
        if problem is None:
            contenders["naive pdqhash"] = [PY, "-c", NAIVE_PDQ, *files]
        contenders["naive imagehash.phash"] = [PY, "-c", NAIVE_PHASH, *files]
        contenders["decode floor (2 processes)"] = [PY, "-c", FLOOR, *files]
        contenders["ours (BatchHasher, 2 workers)"] = [PY, "-c", OURS, *files]
        contenders["ours (fingerprint-client hash --json)"] = [
            FC, "hash", "--json", "--workers", "2", *files,
        ]  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for number in range(args.rounds):
            for name, cmd in contenders.items():
                times[name].append(run(cmd)[0])
            print(f"round {number + 1}/{args.rounds} done")
        phone_files = [f for f in files if Path(f).name.startswith("phone-")]
        per_file = per_file_cpu(phone_files[:40])
        rss = {"ours (hash_one, one worker's work)": run([PY, "-c", OURS_ONE, str(big)])[1]}
        if problem is None:
            rss["naive pdqhash"] = run([PY, "-c", NAIVE_PDQ, str(big)])[1]
        report(times, rss, len(files), problem)
        print()
        print("CPU ms per 12 MP file, one process, no start-up (40 files):")
        for name, ms in per_file.items():
            print(f"- {name}: {ms:.1f}")
        print(f"- ours runs at {per_file['floor'] / per_file['ours']:.0%} of the floor's speed")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def make_in_parallel(root: Path, phone: int, hd: int) -> None:
    """The corpus in two child processes (one per core), the 48 MP JPEG in a third.

    Never in this process: a child's peak RSS as wait4 reports it starts from this process's
    own (it carries over fork+exec), so this process must stay small.
    """
    halves = [(phone - phone // 2, hd - hd // 2, 0), (phone // 2, hd // 2, phone)]
    procs = [subprocess.Popen([PY, __file__, "--make-48mp", str(root / "48mp.jpg")])]
    for number, (p, h, first) in enumerate(halves):
        part = root / f"part{number}"
        part.mkdir()
        cmd = [PY, __file__, "--make-corpus", str(part), str(p), str(h), str(first)]
        procs.append(subprocess.Popen(cmd))
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit("making the corpus failed")


def per_file_cpu(files: list[str]) -> dict[str, float]:
    """CPU milliseconds per file of the decode floor and of `hash_one`, in one process."""
    out = subprocess.run(
        [PY, "-c", PER_FILE, *files], capture_output=True, text=True, check=True
    ).stdout
    return {name: float(ms) for name, ms in (line.split() for line in out.splitlines())}


def report(
    times: dict[str, list[float]], rss: dict[str, float], count: int, problem: str | None
) -> None:
    median = {name: statistics.median(values) for name, values in times.items()}
    ours = median["ours (BatchHasher, 2 workers)"]
    print()
    rounds = len(next(iter(times.values())))
    print(
        f"{datetime.date.today()} - {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {count} JPEGs; median of {rounds} rounds"
    )
    print()
    print("| contender | median s | min-max s | files/s | ours is faster by |")
    print("|---|---:|---:|---:|---:|")
    for name, value in median.items():
        spread = f"{min(times[name]):.2f}-{max(times[name]):.2f}"
        print(f"| {name} | {value:.2f} | {spread} | {count / value:.1f} | {value / ours:.2f}x |")
    print()
    print("| peak RSS, one 48 MP JPEG | MB |")
    print("|---|---:|")
    for name, value in rss.items():
        print(f"| {name} | {value:.0f} |")
    print()
    checks = []
    if problem is None:
        checks.append(("ours >= 20x naive pdqhash", median["naive pdqhash"] / ours, 20.0))
    checks.append(("ours >= 5x naive imagehash.phash", median["naive imagehash.phash"] / ours, 5.0))
    floor = median["decode floor (2 processes)"]
    checks.append(("ours >= 75 % of the decode floor's speed", floor / ours, 0.75))
    if problem is None:
        ratio = rss["naive pdqhash"] / rss["ours (hash_one, one worker's work)"]
        checks.append(("peak RSS <= 1/10 of naive pdqhash's", ratio, 10.0))
    for label, value, target in checks:
        verdict = "met" if value >= target else "MISSED"
        print(f"- {label}: {value:.2f} (target {target:g}) {verdict}")
    if problem:
        print(f"- naive pdqhash skipped: {problem}")


if __name__ == "__main__":
    main()
