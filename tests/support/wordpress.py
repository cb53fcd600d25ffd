"""What every wp-json refusal of an argument looks like, for the tests that expect one."""

from __future__ import annotations

import httpx


def invalid_param(response: httpx.Response, param: str, code: str, message: str) -> None:
    """WordPress's 400 rest_invalid_param naming one argument, with its params and details."""
    assert response.status_code == 400, response.text
    assert response.json() == {
        "code": "rest_invalid_param",
        "message": f"Invalid parameter(s): {param}",
        "data": {
            "status": 400,
            "params": {param: message},
            "details": {param: {"code": code, "message": message, "data": None}},
        },
    }
