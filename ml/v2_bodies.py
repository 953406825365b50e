"""Bodies of v2 inference requests: compressed with gzip or deflate, and split into the JSON
inference header and the binary tensor data after it (Triton's extension, ml/v2_protocol.py).
"""

import re
import zlib

import orjson
from django.conf import settings
from django.utils.translation import gettext as _

from flower_power.errors import ApplicationError

BINARY_HEADER = "Inference-Header-Content-Length"


def invalid(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid")


def too_large() -> ApplicationError:
    return ApplicationError(
        _("The request body is larger than %(limit)d bytes.")
        % {"limit": settings.REQUEST_BODY_MAX_BYTES},
        code="too_large", status=413,
    )


def body_decode(body: bytes, content_encoding: str | None) -> bytes:
    """The body with its Content-Encoding (gzip, deflate or identity) undone, size-bounded."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding == "identity":
        return body
    if encoding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif encoding == "deflate":
        # RFC 9110's deflate is the zlib format (what tritonclient sends); some clients send
        # a raw deflate stream: tell them apart by the zlib header.
        wbits = zlib.MAX_WBITS if body[:1] == b"\x78" else -zlib.MAX_WBITS
    else:
        raise ApplicationError(
            _("Content-Encoding %(got)r is not supported; use gzip, deflate or none.")
            % {"got": encoding[:40]},
            code="unsupported_encoding", status=415,
        )
    limit = settings.REQUEST_BODY_MAX_BYTES
    decompressor = zlib.decompressobj(wbits)
    try:
        # Bounded: a small bomb must not expand to gigabytes in memory.
        data = decompressor.decompress(body, limit + 1)
    except zlib.error as exc:
        raise invalid(_("The %(encoding)s request body is corrupt: %(error)s") % {
            "encoding": encoding, "error": exc}) from None
    if len(data) > limit or decompressor.unconsumed_tail:
        raise too_large()
    if not decompressor.eof:
        raise invalid(_("The %(encoding)s request body is truncated.") % {"encoding": encoding})
    return data


def body_split(body: bytes, header_length: str | None) -> tuple[object, bytes]:
    """(the JSON inference header, the binary tensor data after it)."""
    if header_length is None:
        json_part, binary = body, b""
    else:
        if not re.fullmatch(r"[0-9]{1,10}", header_length.strip()):
            raise invalid(_("%(header)s must be a whole number of bytes.") % {
                "header": BINARY_HEADER})
        size = int(header_length)
        if size > len(body):
            raise invalid(_("%(header)s is %(size)d but the body has only %(got)d bytes.") % {
                "header": BINARY_HEADER, "size": size, "got": len(body)})
        json_part, binary = body[:size], body[size:]
    try:
        return orjson.loads(json_part), binary
    except orjson.JSONDecodeError as exc:
        raise invalid(_("Malformed JSON: %(error)s") % {"error": exc}) from None
