"""Imported once by the batch engine's fork server, so every worker starts ready.

Only the fork server imports this module (never the batch's main process, which stays light):
it loads the decoding and hashing code (with the allowlisted Pillow plugins) up front, which
each worker would otherwise do again on its first file.
"""

from __future__ import annotations

import os

# numpy's BLAS would start a thread per core in every worker; PDQ's matrices are tiny and the
# workers already use every core.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from fingerprint_client.hashing import _process, _worker, pdq

__all__ = ["_process", "_worker", "pdq"]
