"""The API page's content, read from the OpenAPI document the code and the tests share: for each
endpoint its summary, one example request and the answer to it."""

import json
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode

from portal.public.api_schema import SCHEMA_PATH


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Example:
    method: str
    path: str
    summary: str
    description: str
    url: str  # the path with the example's query
    body: str | None  # the request's JSON, for POST
    status: int
    answer: str  # the answer's JSON

    @property
    def curl(self) -> str:
        if self.body is None:
            return f"curl '{self.url}'"
        return f"curl -X POST '{self.url}' \\\n  -H 'Content-Type: application/json' \\\n  -d '{self.body}'"


def _pretty(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def api_examples(*, base: str = "") -> list[Example]:
    """The examples, their URLs on ``base`` ("https://host"; empty: paths only)."""
    examples = []
    for path, operations in schema()["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post"):
                continue
            query = {p["name"]: p["example"] for p in operation.get("parameters", [])
                     if p.get("in") == "query" and "example" in p}
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example")
            answer = operation["responses"]["200"]["content"]["application/json"].get("example")
            if answer is None:
                continue  # the schema document itself: its answer is the document
            examples.append(Example(
                method=method.upper(), path=path, summary=operation.get("summary", ""),
                description=operation.get("description", ""),
                url=base + path + (f"?{urlencode(query)}" if query else ""),
                body=None if body is None else json.dumps(body, ensure_ascii=False),
                status=200, answer=_pretty(answer),
            ))
    return examples
