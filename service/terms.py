"""Term lookup: one search box over every named thing, a page per term, a JSON API beside them.

Pages (``/terms``) work without JavaScript: the search box is a GET form answered on the
server; ``static/terms.js`` only adds results as you type, from the same JSON API. The API is
shaped after Skosmos REST::

    GET /api/terms?query=主链                   search: {"uri": "", "q", "results": [...]}
    GET /api/terms/index                        terms grouped by pinyin initial
    GET /api/terms/index?letter=S               the terms of one initial
    GET /api/terms/slogan/si-zhu-lian-0c35204a  one term: definition, parts, mentions...

Search takes Skosmos' parameters: ``query`` (or ``q``; ``*`` is a wildcard over whole labels:
``五*``, ``*链``, ``*主*``; without one, ranked exact → prefix → substring → pinyin), ``maxhits``
(or ``limit``; 1–100, default 20), ``offset``, ``type`` (or ``kind``: ``Slogan``, ``pol:Slogan``
or the class IRI; ``skos:Concept`` is any), ``lang`` (labels are Chinese: ``zh``, ``zh-CN``…
match, any other language finds nothing). Answers are JSON-LD: the context maps Skosmos' keys
onto SKOS and sets ``"@language": "zh"``, so labels and definitions read as ``@zh`` literals; a
search hit's cut definition is ``snippet`` (not mapped: it is not the definition), and a term's
``definition`` is the full text of each glossary entry that defines it.

A term's key is its IRI after the configured base (``slogan/si-zhu-lian-0c35204a``). A term many reports
share lists their versions ``VERSIONS_PER_PAGE`` (20) at a time, page and API alike:
``?page=N``, the answer's ``versionCount``, ``page`` and ``pages`` say where it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for

from .entityview import Description, describe
from .errors import whole_number
from .evidence import Evidence
from .links import POL, Link, base_iri, link
from .negotiated import data_links
from .schemaorg import schema_org
from .search import EXACT, GLOSSARY, PINYIN, PREFIX, SUBSTRING, Term, term_index
from .termview import (
    KIND_NAMES,
    Node,
    TermDetails,
    glossary,
    key_of,
    reports,
    term_details,
    term_link,
)

bp = Blueprint("terms", __name__)

MAX_LIMIT = 100
INDEX_PAGE = 200  # terms of one letter a page of the index shows
MATCH_NAMES = {
    EXACT: "exact",
    PREFIX: "prefix",
    SUBSTRING: "substring",
    PINYIN: "pinyin",
    GLOSSARY: "glossary",
}
SKOS = "http://www.w3.org/2004/02/skos/core#"
# Keys outside the context (pinyin, snippet, match, href...) are for people and scripts: JSON-LD
# processors drop them.
SKOSMOS_CONTEXT = {
    "@language": "zh",
    "skos": SKOS,
    "pol": POL,
    "uri": "@id",
    "type": "@type",
    "prefLabel": "skos:prefLabel",
    "altLabel": "skos:altLabel",
    "definition": "skos:definition",
    "glossaryEntries": {"@id": "pol:definedIn", "@type": "@id"},
    "results": {"@id": "pol:results", "@container": "@list"},
}


def _lookup(key: str) -> Term:
    """The term for ``key``; 404 (or a redirect to /id/ when the IRI is not a term)."""
    iri = base_iri() + key
    term = term_index().get(iri)
    if term is None:
        if describe(iri) is not None:
            abort(redirect(url_for("entities.entity", key=key)))
        abort(404, description=f"没有术语 <{iri}>；请在 {url_for('terms.search_page')} 查询。")
    return term


# ---------------------------------------------------------------- JSON shapes


def hit_json(hit) -> dict:
    """One search result, Skosmos-style (``uri``, ``type``, ``prefLabel``, ``lang``)."""
    t = hit.term
    row = {
        "uri": t.iri,
        "type": ["pol:Term" if t.shared else f"pol:{t.kind}"],
        "kindLabel": KIND_NAMES[t.kind],
        "prefLabel": t.label,
        "lang": "zh",
        "pinyin": t.pinyin,
        "match": MATCH_NAMES[hit.rank],
        "href": url_for("terms.term", key=key_of(t.iri)),
    }
    if t.snippet:
        row["snippet"] = t.snippet
    if hit.matched != t.label:
        row["altLabel"] = hit.matched
    return row


def details_json(d: TermDetails) -> dict:
    """A term page as JSON: Skosmos' names (``prefLabel``, ``definition``) plus the tree."""

    def node(n: Node) -> dict:
        return {
            "uri": n.link.iri,
            "prefLabel": n.link.label,
            "type": f"pol:{n.kind}" if n.kind else None,
            "evidence": [_evidence_json(e) for e in n.evidence],
            "enterprises": [_link_json(x) for x in n.enterprises],
            "projects": [_link_json(x) for x in n.projects],
            "parts": [node(c) for c in n.children],
        }

    if d.versions:
        return {
            "@context": SKOSMOS_CONTEXT,
            "uri": d.term.iri,
            "type": ["pol:Term"],
            "kind": f"pol:{d.term.kind}",
            "prefLabel": d.term.label,
            "lang": "zh",
            "pinyin": d.term.pinyin,
            # the versions of one page (``page=N``), of ``versionCount``
            "versionCount": d.version_count,
            "page": d.page,
            "pages": d.pages,
            "versions": [
                details_json(v.details)
                | {
                    "report": {"uri": v.report.iri, "prefLabel": v.report.label},
                    "place": v.place,
                    "date": v.date,
                }  # fmt: skip
                for v in d.versions
            ],
        }
    return {
        "@context": SKOSMOS_CONTEXT,
        "uri": d.term.iri,
        "type": [f"pol:{d.term.kind}"],
        "versionOf": d.shared.iri if d.shared else None,
        "prefLabel": d.term.label,
        "altLabel": list(d.term.alt_labels),
        "lang": "zh",
        "pinyin": d.term.pinyin,
        "definition": list(dict.fromkeys(df.definition for df in d.definitions if df.definition)),
        "glossaryEntries": [
            {
                "uri": df.entry.iri,
                "prefLabel": df.entry.label,
                "number": df.number,
                "definition": df.definition,
                "report": df.report.iri if df.report else None,
            }
            for df in d.definitions
        ],
        "parts": [node(c) for c in d.tree.children],
        "enterprises": [_link_json(x) for x in d.tree.enterprises],
        "projects": [_link_json(x) for x in d.tree.projects],
        "leadingEnterprises": [_link_json(x) for x in d.leaders],
        "relatedSlogans": [_link_json(x) | {"why": why} for x, why in d.related],
        "mentions": [
            {k: v for k, v in asdict(m).items() if k != "report"} | {"report": m.report.iri}
            for m in d.mentions
        ],
    }


def _evidence_json(e: Evidence) -> dict:
    return {"quote": e.quote, "start": e.start, "end": e.end, "report": e.report.iri}


def _link_json(link: Link) -> dict:
    return {"uri": link.iri, "prefLabel": link.label}


def _limit() -> int:
    """The hits asked for (Skosmos' ``maxhits``, or ``limit``), at most :data:`MAX_LIMIT`."""
    name = "maxhits" if "maxhits" in request.args else "limit"
    return min(whole_number(name, 20), MAX_LIMIT)


def _kind() -> str | None:
    """The class asked for by ``type`` or ``kind``: a name, ``pol:Name`` or the class IRI;
    None for any (also ``skos:Concept``, Skosmos' default)."""
    raw = (request.args.get("type") or request.args.get("kind") or "").strip()
    if raw in ("", "skos:Concept", SKOS + "Concept"):
        return None
    kind = raw.removeprefix(POL).removeprefix("pol:")
    if kind not in KIND_NAMES:
        names = ", ".join(KIND_NAMES)
        abort(400, description=f"unknown type {raw!r}: use one of {names} (or pol:Name, its IRI)")
    return kind


def _page() -> int:
    """The page of a shared term's versions asked for (``page=N``, from 1)."""
    return whole_number("page", 1)


def _query() -> str:
    return request.args.get("query", request.args.get("q", ""))


# ---------------------------------------------------------------- routes


@bp.route("/terms")
def search_page():
    """The search box; with ``q`` the results, without it the reports' glossaries and the
    index, one letter (``letter``, the first by default) :data:`INDEX_PAGE` terms a page."""
    q = _query().strip()
    kind = _kind()
    hits = term_index().search(q, limit=_limit() if "limit" in request.args else 50, kind=kind)
    index = term_index().by_initial() if not q else {}
    letter = _letter(index) if index else ""
    group = index.get(letter, [])
    pages = max(1, -(-len(group) // INDEX_PAGE))
    page = min(_page(), pages)
    return render_template(
        "terms.html",
        q=q,
        kind=kind,
        hits=hits,
        kinds=KIND_NAMES,
        match_names=MATCH_NAMES,
        letters=index.counts if index else {},
        letter=letter,
        terms=group[(page - 1) * INDEX_PAGE :][:INDEX_PAGE],
        page=page,
        pages=pages,
        reports=[r for r in reports() if r.entries] if not q else [],
        key_of=key_of,
    )


def _letter(index: Mapping[str, list[Term]]) -> str:
    """The index letter asked for (``letter``, upper case or not), the first by default.

    :raises NotFound: for a letter no term starts with.
    """
    letter = request.args.get("letter", "").strip().upper() or next(iter(index))
    if letter not in index:
        abort(404, description=f"no term starts with the letter {letter!r}")
    return letter


@bp.route("/terms/glossary/<iri:slug>")
def glossary_page(slug: str):
    """A report's glossary (名词解释), entry by entry, linked to the terms it explains."""
    report = base_iri() + "report/" + slug
    entries = glossary(report)
    found = [r for r in reports(report) if r.report.iri == report]
    if not found:
        abort(404, description=f"没有报告 <{report}>。")
    return render_template(
        "terms_glossary.html", report=found[0], entries=entries, term_link=term_link
    )


@bp.route("/terms/<iri:key>")
def term(key: str):
    """A term's page: label, definition, parts, members, related slogans, mentions, data."""
    details = term_details(_lookup(key), key, _page(), versions_related=False)
    desc = Description(details.term.iri, details.term.label, [], [], [], details.mentions)
    desc.types = [link(POL + details.term.kind)]
    return render_template(
        "terms_term.html",
        d=details,
        kinds=KIND_NAMES,
        term_link=term_link,
        pol=POL,
        data_links=data_links(url_for("entities.entity", key=key)),
        api=url_for("terms.api_term", key=key),
        jsonld=schema_org(desc, details.term.definition),
        usage_map=_usage_map(details),
    )


def _usage_map(details: TermDetails):
    """For a term many reports use: the provinces whose reports use it, on a map."""
    from .corpus import corpus
    from .maps import reports_map

    by_iri = corpus().by_iri
    used = [by_iri[r.iri] for r in details.used_in if r.iri in by_iri]
    return reports_map(used, f"使用“{details.term.label}”的省份") if used else None


@bp.route("/api/terms")
def api_search():
    """Skosmos-style search: ``{"uri": "", "q": …, "results": [{"uri", "prefLabel", …}]}``."""
    q = _query()
    offset, limit, kind = whole_number("offset", 0, low=0), _limit(), _kind()
    lang = request.args.get("lang", "zh").strip().lower()
    hits = []
    if lang in ("", "zh") or lang.startswith("zh-"):  # every label is Chinese
        hits = term_index().search(q, limit=offset + limit, kind=kind)[offset:]
    return jsonify(
        {"@context": SKOSMOS_CONTEXT, "uri": "", "q": q, "results": [hit_json(h) for h in hits]}
    )


@bp.route("/api/terms/index")
def api_index():
    """Every term grouped by the first letter of its pinyin; with ``letter``, that letter's."""
    terms = term_index()
    index = terms.by_initial()
    shown = [_letter(index)] if "letter" in request.args else list(index)
    return jsonify(
        {
            "@context": SKOSMOS_CONTEXT,
            "indexLetters": list(index),
            "index": {
                letter: [
                    {"uri": iri, "prefLabel": label, "type": [f"pol:{kind}"], "pinyin": pinyin}
                    for iri, label, kind, pinyin in terms.entries(letter)
                ]
                for letter in shown
            },
        }
    )


@bp.route("/api/terms/<iri:key>")
def api_term(key: str):
    """One term as JSON: definitions, parts tree, members, related slogans, mentions."""
    return jsonify(details_json(term_details(_lookup(key), key, _page())))
