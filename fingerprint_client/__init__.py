"""fingerprint-client: fingerprint intimate images on your own device and ask a takedown service
to block them. Only hashes ever leave the device."""

CLIENT_NAME = "fingerprint-client"

__all__ = ["CLIENT_NAME", "__version__"]


def __getattr__(name: str) -> str:
    # `__version__` is looked up on first use: importlib.metadata costs ~45 ms at import, paid
    # by every hashing worker process otherwise.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("fingerprint-client")
        except PackageNotFoundError:  # pragma: no cover - a source tree without install
            return "0.0.0"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
