"""Talking to a takedown service (protocol v1): models, the HTTP client and its errors.

Import from the modules themselves (each lists its public names in `__all__`):

    from fingerprint_client.service.client import ServiceClient, ClientSettings
    from fingerprint_client.service.errors import ServiceError, ServiceUnavailable
    from fingerprint_client.service.models import Case, canonical_json

`client.py` is the client (over `_transport.py`), `errors.py` the exception hierarchy,
`models.py` the protocol's request and response models, `protocol_constants.py` the fixed
values, `sanitize.py` the cleaning of server text.
"""
