"""Failure classes of model requests, and which of them a retry can fix.

Every failed :class:`~alchemistcoder.llm.types.Completion` carries ``extra['error_class']``, one of
:data:`ERROR_CLASSES`; the client counts failures by class, and each stage's summary line shows them. A retry
helps only when the server may answer differently next time (rate limits, overload, timeouts, dropped
connections). A request the server *cannot* serve — a bad or unknown parameter (HTTP 400/404/422), missing
rights (401/403), or a 500 whose body says that a parameter is not supported (llama.cpp's server answers
``response_format: json_schema`` that way) — fails at once instead of five times.
"""

from __future__ import annotations

import re

BAD_REQUEST = "bad_request"  # 400/404/405/413/422: the request itself is wrong for this server
AUTH = "auth"  # 401/403
UNSUPPORTED = "unsupported"  # a 5xx whose body says a request parameter is not supported
RATE_LIMITED = "rate_limited"  # 429 after every retry
SERVER_ERROR = "server_error"  # other 5xx after every retry
TIMEOUT = "timeout"
CONNECTION = "connection"
INVALID_RESPONSE = "invalid_response"  # a 200 whose body is not a completion
HTTP_ERROR = "http_error"  # any other status
BACKEND_ERROR = "backend_error"  # an exception inside a backend (in-process models)
OTHER = "other"

ERROR_CLASSES = (
    BAD_REQUEST, AUTH, UNSUPPORTED, RATE_LIMITED, SERVER_ERROR, TIMEOUT, CONNECTION, INVALID_RESPONSE, HTTP_ERROR,
    BACKEND_ERROR, OTHER,
)

# Statuses worth retrying (besides the 5xx that name an unsupported parameter).
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
_BAD_REQUEST_STATUS = frozenset({400, 404, 405, 413, 422})

# "not supported", "unrecognized argument", pydantic's "validation error ... literal_error" (llama.cpp) ...
_REFUSES = re.compile(
    r"not supported|unsupported|not implemented|unrecogni[sz]ed|unknown (?:parameter|field|argument|key)"
    r"|extra (?:inputs|fields) are not permitted|validation error|literal_error|input should be",
    re.IGNORECASE,
)
# ... about a request parameter (not, say, "unsupported GPU"): it names one, or says "parameter"/"field".
_NAMES_PARAMETER = re.compile(
    r"response_format|json_schema|json_object|logprobs|tool_choice|tools|seed|top_p|stop|max_tokens"
    r"|parameter|field|argument|'body'",
    re.IGNORECASE,
)


def names_unsupported_parameter(message: str) -> bool:
    """Whether an error body says that the server does not support a parameter of the request."""
    return bool(_REFUSES.search(message) and _NAMES_PARAMETER.search(message))


def classify_status(status: int, message: str) -> tuple[str, bool]:
    """(error class, whether a retry may help) for an HTTP error ``status`` with body ``message``."""
    if status in _BAD_REQUEST_STATUS:
        return BAD_REQUEST, False
    if status in (401, 403):
        return AUTH, False
    if status == 429:
        return RATE_LIMITED, True
    if status >= 500 or status in RETRY_STATUS:
        if status >= 500 and names_unsupported_parameter(message):
            return UNSUPPORTED, False
        return SERVER_ERROR, status in RETRY_STATUS
    return HTTP_ERROR, False
