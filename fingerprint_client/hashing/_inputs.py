"""Turning the paths a person named into the list of files to fingerprint.

Named files are always kept (a problem with one is reported in its place, in order). Named
folders are listed - walked into sub-folders with `recursive` - and only files whose content
starts like a supported image or video are kept; the rest are counted as skipped. Folders that
cannot be read are reported as problems.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fingerprint_client.hashing._errors import HashError
from fingerprint_client.hashing._result import FileResult
from fingerprint_client.hashing._sniff import SNIFF_BYTES, is_supported_head


@dataclass
class InputSet:
    """The files to fingerprint, how many folder entries were skipped, and unreadable folders.

    `problems` holds one failed `FileResult` (index -1) per named or nested folder that could
    not be listed; report them beside the results of `files`. `subfolders_not_entered` counts
    the sub-folders left alone because `recursive` was off.
    """

    files: list[Path] = field(default_factory=list)
    skipped: int = 0
    problems: list[FileResult] = field(default_factory=list)
    subfolders_not_entered: int = 0


def collect_inputs(paths: Sequence[Path], recursive: bool) -> InputSet:
    """Expand `paths` (files and folders) into an `InputSet`, keeping the order given."""
    out = InputSet()
    for path in paths:
        if _is_dir(path):
            _collect_folder(path, recursive, out)
        else:
            out.files.append(path)
    return out


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _collect_folder(root: Path, recursive: bool, out: InputSet) -> None:
    for entry_path, kind in _walk(root, recursive):
        if kind == "subfolder":
            out.subfolders_not_entered += 1
        elif kind == "problem":
            out.problems.append(
                FileResult.failure(-1, entry_path, HashError.of("permission-denied"))
            )
        elif _looks_supported(entry_path):
            out.files.append(entry_path)
        else:
            out.skipped += 1


def _walk(root: Path, recursive: bool) -> Iterator[tuple[Path, str]]:
    """(path, "file" | "problem" | "subfolder") below `root`, sorted by name per folder."""
    try:
        with os.scandir(root) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        yield root, "problem"
        return
    subdirs: list[Path] = []
    for entry in entries:
        path = root / entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                subdirs.append(path)
                continue
        except OSError:
            pass
        yield path, "file"
    for sub in subdirs:
        if recursive:
            yield from _walk(sub, recursive)
        else:
            yield sub, "subfolder"


def _looks_supported(path: Path) -> bool:
    """True for a regular file (links followed) that starts like a supported image or video."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
            return False
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        head = os.read(fd, SNIFF_BYTES)
    except OSError:
        return False
    finally:
        os.close(fd)
    return is_supported_head(head)
