"""fingerprint-client: fingerprint intimate images on your own device and ask a takedown service
to block them. Only hashes ever leave the device."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fingerprint-client")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

CLIENT_NAME = "fingerprint-client"

__all__ = ["CLIENT_NAME", "__version__"]
