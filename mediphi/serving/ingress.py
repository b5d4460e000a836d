"""The ingress: ray.serve.llm's OpenAiIngress with an API key and OpenAI-style error bodies."""

from __future__ import annotations

import json

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from ray.serve.llm.ingress import OpenAiIngress, make_fastapi_ingress

from mediphi.config import ServeCfg
from mediphi.serving.app import api_key_matches, read_api_key

# Set in each ingress replica's process when it starts; read by the middleware on every request.
_KEY: dict[str, str | None] = {"value": None}


class ApiKeyMiddleware:
    """A pure ASGI middleware (streaming responses pass through untouched)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        key = _KEY["value"]
        if scope["type"] == "http" and key is not None:
            headers = dict(scope.get("headers") or [])
            auth = headers.get(b"authorization", b"").decode("latin-1")
            if not api_key_matches(auth, key):
                body = json.dumps({"error": {"message": "Missing or invalid API key: send 'Authorization: Bearer "
                                             "<key>'.", "type": "authentication_error", "param": None,
                                             "code": "invalid_api_key"}}).encode()
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


async def _openai_http_error(request: Request, exc: HTTPException) -> JSONResponse:
    kind = {401: "authentication_error", 404: "not_found_error", 429: "rate_limit_error"}.get(
        exc.status_code, "invalid_request_error")
    message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    return JSONResponse(status_code=exc.status_code,
                        content={"error": {"message": message, "type": kind, "param": None, "code": exc.status_code}})


class MediphiIngress(OpenAiIngress):
    def __init__(self, llm_deployments, model_cards, *, auth_env: str | None = None, auth_file: str | None = None,
                 **kwargs):
        super().__init__(llm_deployments, model_cards, **kwargs)
        _KEY["value"] = read_api_key(ServeCfg(api_key_env=auth_env, api_key_file=auth_file))


def make_ingress(configs):
    """The ingress class bound to a FastAPI app with the library's middleware plus ours."""
    # The library's own app factory keeps its request-id, metrics and exception middleware;
    # it is not exported, so it is imported from its module (pinned Ray version).
    from ray.llm._internal.serve.core.configs.openai_api_models import to_model_metadata
    from ray.llm._internal.serve.core.ingress.ingress import init

    app = init()
    app.add_middleware(ApiKeyMiddleware)  # added last = runs first: nothing is served without the key
    app.add_exception_handler(HTTPException, _openai_http_error)
    cards = {c.model_id: to_model_metadata(c.model_id, c) for c in configs}
    return make_fastapi_ingress(MediphiIngress, app=app), cards
