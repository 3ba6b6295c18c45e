"""Several SOQL queries in one REST ``/composite`` request, counted as one API call.

Shapes from the REST API Developer Guide ("Send Multiple Requests Using Composite", "Composite
Request Body", "Composite Subrequest Result"): the body holds ``allOrNone`` and
``compositeRequest`` (``method``, ``url``, ``referenceId``); the answer's
``compositeResponse`` holds one ``body``/``httpStatusCode``/``referenceId`` per subrequest,
and a failed subrequest's body is the usual error list (``errorCode``, ``message``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class QueryAnswer:
    """One query's answer in a composite request: its records, or the org's error."""

    records: tuple[dict[str, Any], ...] = ()
    error_code: str = ""
    message: str = ""
    complete: bool = True  # False: more records on further pages (``done`` false)

    @classmethod
    def from_subresponse(cls, result: Mapping[str, Any]) -> QueryAnswer:
        body = result.get("body")
        if result.get("httpStatusCode") == 200 and isinstance(body, dict):
            records = body.get("records") or []
            return cls(
                records=tuple(r for r in records if isinstance(r, dict)),
                complete=body.get("done", True) is not False,
            )
        errors = body if isinstance(body, list) else [body]
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        return cls(
            error_code=str(first.get("errorCode") or result.get("httpStatusCode")),
            message=str(first.get("message") or "the query failed"),
        )


def composite_body(api_version: str, queries: Mapping[str, str]) -> dict[str, Any]:
    """The body of a ``/composite`` request running ``queries`` (reference id -> SOQL)."""
    return {
        "allOrNone": False,
        "compositeRequest": [
            {
                "method": "GET",
                "url": f"/services/data/v{api_version}/query/?q={quote(soql, safe='')}",
                "referenceId": reference,
            }
            for reference, soql in queries.items()
        ],
    }
