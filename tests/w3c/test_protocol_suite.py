"""Our runner for the W3C SPARQL 1.1 Protocol test suite (``manifest.ttl`` beside this file).

Each test of the manifest is one or more HTTP requests (method, path, headers, body) with the
expected status class and, for successes, the result format ("boolean", "tabular", "RDF") and
the ASK answer. The 13 query tests and 14 bad-request tests must pass as written; the 7 update
tests must be refused with 4xx, since the service is read-only.

Run by pytest against the real server, or by hand against any endpoint::

    python tests/w3c/test_protocol_suite.py http://127.0.0.1:5000
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.collection import Collection

MANIFEST = Path(__file__).resolve().parent / "manifest.ttl"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

BOOLEAN_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}
TABULAR_TYPES = {
    **BOOLEAN_TYPES,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")


@dataclass
class ProtocolRequest:
    """One HTTP request of a test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]  # "2xx", "3xx", "4xx"...
    result_format: str | None = None  # "boolean", "tabular", "RDF"
    boolean: bool | None = None


@dataclass
class ProtocolTest:
    """A named test of the manifest: ``query_*``, ``bad_*`` or ``update_*``."""

    name: str
    title: str
    requests: list[ProtocolRequest] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.name.split("_", 1)[0]


def load_manifest(path: Path = MANIFEST) -> list[ProtocolTest]:
    """The manifest's tests in the order of ``mf:entries``."""
    graph = rdflib.Graph().parse(path, format="turtle")
    manifest = next(graph.subjects(MF.entries, None))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        test = ProtocolTest(str(entry).rsplit("#", 1)[1], str(graph.value(entry, MF.name)))
        for node in Collection(graph, graph.value(action, HT.requests)):
            test.requests.append(_request(graph, node))
        tests.append(test)
    return tests


def _request(graph: rdflib.Graph, node) -> ProtocolRequest:
    headers = {}
    if (header_list := graph.value(node, HT.headers)) is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(
                graph.value(header, HT.fieldValue)
            )
    body = None
    if (body_node := graph.value(node, HT.body)) is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    boolean = graph.value(response, MF.expectedBoolean)
    result_format = graph.value(response, MF.expectedFormat)
    return ProtocolRequest(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=headers,
        body=body,
        statuses={str(s).removeprefix(HTS) for s in graph.objects(response, MF.expectedStatus)},
        result_format=str(result_format) if result_format is not None else None,
        boolean=boolean.toPython() if boolean is not None else None,
    )


def run_test(base_url: str, test: ProtocolTest) -> str | None:
    """Run ``test`` against the server at ``base_url``: None if it passes, else why not.

    An update test passes when its first request is refused with 4xx (the service is read-only).
    """
    if test.kind == "update":
        refused = ProtocolRequest(**{**test.requests[0].__dict__, "statuses": {"4xx"}})
        refused.result_format = refused.boolean = None
        return check(base_url, refused)
    for request in test.requests:
        problem = check(base_url, request)
        if problem:
            return problem
    return None


def check(base_url: str, request: ProtocolRequest) -> str | None:
    """Send ``request`` and compare the response with what the manifest expects."""
    response = requests.request(
        request.method, base_url + request.path, headers=request.headers, data=request.body
    )
    status_class = f"{response.status_code // 100}xx"
    if status_class not in request.statuses:
        return f"status {response.status_code}, expected {sorted(request.statuses)}: {response.text[:200]}"
    if status_class.startswith("5"):
        return f"status {response.status_code}"
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if request.result_format == "boolean":
        if media_type not in BOOLEAN_TYPES:
            return f"boolean result sent as {media_type}"
        parsed = ox.parse_query_results(response.content, format=BOOLEAN_TYPES[media_type])
        if request.boolean is not None and bool(parsed) != request.boolean:
            return f"ASK answered {bool(parsed)}, expected {request.boolean}"
    elif request.result_format == "tabular":
        if media_type not in TABULAR_TYPES:
            return f"tabular result sent as {media_type}"
        list(ox.parse_query_results(response.content, format=TABULAR_TYPES[media_type]))
    elif request.result_format == "RDF":
        if media_type not in RDF_TYPES:
            return f"RDF result sent as {media_type}"
        list(ox.parse(response.content, format=ox.RdfFormat.from_media_type(media_type)))
    return None


TESTS = load_manifest()


def test_the_suite_has_27_query_and_bad_request_tests_and_7_updates():
    kinds = [t.kind for t in TESTS]
    assert kinds.count("query") + kinds.count("bad") == 27
    assert kinds.count("update") == 7


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(endpoint_base, test):
    assert run_test(endpoint_base, test) is None


def main(argv: list[str]) -> int:
    """Run the suite against the endpoint root in ``argv[0]`` and print a summary."""
    base_url = argv[0].rstrip("/")
    failed = 0
    for test in TESTS:
        problem = run_test(base_url, test)
        failed += problem is not None
        print(
            f"{'ok  ' if problem is None else 'FAIL'} {test.name}{': ' + problem if problem else ''}"
        )
    counted = [t for t in TESTS if t.kind != "update"]
    passed = sum(run_test(base_url, t) is None for t in counted)
    print(f"query and bad-request tests: {passed}/{len(counted)}")
    print(f"{len(TESTS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
