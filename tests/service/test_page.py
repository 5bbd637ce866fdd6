"""The query page: editor with prefixes, examples, results table with entity links, downloads,
errors with line and column, everything bundled, and the essentials without JavaScript; over
the embedded protocol store and over the same data in Virtuoso (``server``, the conftest's)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

SERVICE = Path(__file__).resolve().parents[2] / "service"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
LABEL = 'SELECT ?thing ?label WHERE { ?thing rdfs:label ?label FILTER(?label = "四主链"@zh) }'


class Links(HTMLParser):
    """Every href/src/action in a page, and the forms' fields."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.urls += [attrs[k] for k in ("href", "src", "action") if attrs.get(k)]
        if tag == "form":
            self.forms.append(
                {"method": attrs.get("method"), "action": attrs.get("action"), "fields": {}}
            )
        if tag in ("input", "textarea") and self.forms:
            self.forms[-1]["fields"][attrs.get("name")] = attrs.get("value")


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def test_the_page_declares_our_prefixes_in_the_editor(server):
    page = requests.get(server.url + "/sparql", headers=BROWSER)
    assert page.status_code == 200
    assert '<html lang="zh">' in page.text
    editor = re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S).group(1)
    for prefix in ("pol", "id", "skos", "prov", "rdfs", "dcterms", "org", "qb", "xsd"):
        assert f"PREFIX {prefix}: &lt;" in editor, prefix
    assert "PREFIX id: &lt;https://w3id.org/policykg/id/&gt;" in editor


def test_a_plain_form_get_renders_results_with_entity_links(server):
    # What the form submits without JavaScript: GET /sparql?format=html&query=...
    page = requests.get(server.url + "/sparql", headers=BROWSER)
    # the editor's form; the header's search box is the other
    [form] = [f for f in parse(page.text).forms if f["action"] == "/sparql"]
    assert form["method"] == "get"
    assert form["fields"]["format"] == "html"
    editor = re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S).group(1)
    prologue = re.sub(r"&lt;|&gt;", lambda m: "<" if m.group() == "&lt;" else ">", editor)
    prologue = prologue.split("SELECT")[0]
    results = requests.get(
        server.url + "/sparql", params={"format": "html", "query": prologue + LABEL}
    )
    assert results.status_code == 200
    assert (
        'href="/terms/slogan/si-zhu-lian-0c35204a"' in results.text
    )  # a term links to its term page
    # the IRI shown as its label, the IRI itself on hover and in a column one can switch on
    assert (
        'title="https://w3id.org/policykg/id/slogan/si-zhu-lian-0c35204a">四主链</a>'
        '<span class="iri-col">id:slogan/si-zhu-lian-0c35204a</span>'
    ) in results.text
    assert '<span class="literal" lang="zh">四主链</span>' in results.text


def test_every_download_link_gives_its_format(server):
    page = requests.get(
        server.url + "/sparql", params={"format": "html", "query": "SELECT ?s WHERE { ?s a ?t }"}
    )
    downloads = [
        u
        for u in parse(page.text).urls
        if "format=" in u and "query=" in u and "format=html" not in u
    ]
    types = {requests.get(server.url + u).headers["Content-Type"].split(";")[0] for u in downloads}
    assert types == {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    }
    graph = requests.get(
        server.url + "/sparql", params={"format": "html", "query": "CONSTRUCT WHERE { ?s a ?t }"}
    )
    downloads = [
        u
        for u in parse(graph.text).urls
        if "format=" in u and "query=" in u and "format=html" not in u
    ]
    assert len(downloads) == 6
    assert all(requests.get(server.url + u).status_code == 200 for u in downloads)


def test_syntax_errors_show_line_and_column_by_the_editor(server):
    query = "SELECT ?s\nWHERE {\n  ?s ?p\n}"
    page = requests.get(server.url + "/sparql", params={"format": "html", "query": query})
    assert page.status_code == 400
    # The page runs the query with the prefixes it promises, shown in the editor above it:
    # the position counts the editor's lines.
    editor = re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S).group(1)
    line = editor.count("\n", 0, editor.index("SELECT ?s")) + 4
    assert f"第 {line} 行，第 2 列" in page.text
    assert f'data-error-line="{line}"' in page.text
    assert editor.endswith("?s\nWHERE {\n  ?s ?p\n}")  # the query stays to be fixed


def test_the_page_runs_queries_written_without_prefixes(server):
    query = 'SELECT ?thing WHERE { ?thing rdfs:label "四主链"@zh }'
    page = requests.get(server.url + "/sparql", params={"format": "html", "query": query})
    assert page.status_code == 200 and "共 1 行" in page.text


def test_truncated_results_say_so(server, limits):
    page = requests.get(
        server.url + "/sparql", params={"format": "html", "query": "SELECT * WHERE { ?s ?p ?o }"}
    )
    assert f"只显示前 {limits['MAX_ROWS']} 行" in page.text


def test_examples_are_offered(server):
    page = requests.get(server.url + "/sparql", headers=BROWSER)
    examples = re.search(r'<section class="examples">(.*?)</section>', page.text, re.S).group(1)
    assert len(re.findall(r"<li>", examples)) >= 3


def test_no_asset_comes_from_another_site(server):
    page = requests.get(server.url + "/sparql", headers=BROWSER)
    for url in parse(page.text).urls:
        assert not url.startswith(("http:", "https:", "//")), url
    for asset in [*SERVICE.glob("templates/*.html"), *SERVICE.glob("static/**/*.*")]:
        text = asset.read_text(encoding="utf-8")
        # scripts, stylesheets, images, fonts: links to other sites are fine, assets are not
        assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["'](https?:)?//""", text), asset
        assert not re.search(r"""url\(["']?(https?:)?//""", text), asset
    for url in parse(page.text).urls:
        if url.startswith("/static/"):
            assert requests.get(server.url + url).status_code == 200, url


def test_every_example_runs_with_its_example_values(server):
    page = requests.get(server.url + "/sparql", headers=BROWSER)
    examples = re.search(r'<section class="examples">(.*?)</section>', page.text, re.S).group(1)
    links = [u for u in parse(examples).urls if "format=html" in u]
    assert len(links) >= 12
    queries = [parse_qs(urlsplit(u).query)["query"][0] for u in links]
    # a catalogue query with parameters is offered bound to its documented example
    assert any(q.rstrip().endswith('VALUES (?chain) { ("四主链") }') for q in queries)
    for url in links:
        response = requests.get(server.url + url)
        assert response.status_code == 200, (url, response.text[:300])
