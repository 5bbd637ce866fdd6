"""Every format PolicyKG reads or writes, listed once: RDF serialisations, SPARQL results, pages.

A format has a short name (``format=`` in URLs, ``--format`` on the command line, the suffix of a
dump file), a media type, the other names and media types that mean it (SPARQLWrapper's
``rdf+xml``, ``json-ld``, ``n3``...), the pyoxigraph format that writes it, the file endings read
as it, and its name under ``http://www.w3.org/ns/formats/`` (what VoID and the SPARQL service
description announce). The dumps (:mod:`kg.dumps`), ``policykg dump`` and ``load``, and the
service's content negotiation (``service/negotiation.py``) all read this table::

    >>> FORMATS["nq"].media_type, FORMATS["nq"].named_graphs
    ('application/n-quads', True)
    >>> rdf_named("rdfxml").name, rdf_named("text/turtle").name
    ('rdf', 'ttl')
    >>> by_extension(".owl").rdf == ox.RdfFormat.RDF_XML
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

W3C = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """A format: its name, media type, the other names and media types that mean it, and the
    pyoxigraph format that writes it (RDF or SPARQL results; neither for pages)."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()
    title: str = ""  # what a download link says
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    extensions: tuple[str, ...] = ()  # file endings read as this format, without the dot
    w3c: str = ""  # its name under http://www.w3.org/ns/formats/

    @property
    def named_graphs(self) -> bool:
        """Whether a document in this format keeps named graphs (N-Quads, TriG, JSON-LD)."""
        return self.rdf is not None and self.rdf.supports_datasets

    def answers(self, value: str) -> bool:
        """Whether ``value`` (a name, an alias or a media type) means this format."""
        return value == self.name or value == self.media_type or value in self.aliases


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("html", "text/html", ("application/xhtml+xml",), extensions=("html",)),
        Format(
            "ttl",
            "text/turtle",
            (
                "turtle",
                "n3",
                "text/n3",
                "text/rdf+n3",
                "application/turtle",
                "application/x-turtle",
            ),
            "Turtle",
            rdf=ox.RdfFormat.TURTLE,
            extensions=("ttl",),
            w3c="Turtle",
        ),
        Format(
            "jsonld",
            "application/ld+json",
            ("json-ld", "json", "application/json"),
            "JSON-LD",
            rdf=ox.RdfFormat.JSON_LD,
            extensions=("jsonld",),
            w3c="JSON-LD",
        ),
        Format(
            "rdf",
            "application/rdf+xml",
            ("rdfxml", "rdf+xml", "xml", "application/xml", "text/xml"),
            "RDF/XML",
            rdf=ox.RdfFormat.RDF_XML,
            extensions=("rdf", "owl"),
            w3c="RDF_XML",
        ),
        Format(
            "nt",
            "application/n-triples",
            ("ntriples", "n-triples", "text/plain"),
            "N-Triples",
            rdf=ox.RdfFormat.N_TRIPLES,
            extensions=("nt",),
            w3c="N-Triples",
        ),
        Format(
            "trig",
            "application/trig",
            title="TriG",
            rdf=ox.RdfFormat.TRIG,
            extensions=("trig",),
            w3c="TriG",
        ),
        Format(
            "nq",
            "application/n-quads",
            ("nquads", "n-quads"),
            "N-Quads",
            rdf=ox.RdfFormat.N_QUADS,
            extensions=("nq",),
            w3c="N-Quads",
        ),
        Format(
            "json",
            "application/sparql-results+json",
            ("sparql-results+json", "application/json"),
            results=ox.QueryResultsFormat.JSON,
            w3c="SPARQL_Results_JSON",
        ),
        Format(
            "xml",
            "application/sparql-results+xml",
            ("sparql-results+xml", "application/xml", "text/xml"),
            results=ox.QueryResultsFormat.XML,
            w3c="SPARQL_Results_XML",
        ),
        Format(
            "csv",
            "text/csv",
            results=ox.QueryResultsFormat.CSV,
            extensions=("csv",),
            w3c="SPARQL_Results_CSV",
        ),
        Format(
            "tsv",
            "text/tab-separated-values",
            results=ox.QueryResultsFormat.TSV,
            extensions=("tsv",),
            w3c="SPARQL_Results_TSV",
        ),
    )
}
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS.values()}
RDF_FORMATS = tuple(f for f in FORMATS.values() if f.rdf is not None)


def rdf_named(value: str) -> Format | None:
    """The RDF format that ``value`` (a name, an alias or a media type) means, if any."""
    return next((f for f in RDF_FORMATS if f.answers(value)), None)


def by_extension(path_suffix: str) -> Format | None:
    """The RDF format of a file ending in ``path_suffix`` (``.ttl``, ``.OWL``), if any."""
    ending = path_suffix.lower().lstrip(".")
    return next((f for f in RDF_FORMATS if ending in f.extensions), None)


def rdf_extensions() -> list[str]:
    """The file endings read as RDF, with their dot (``.ttl``, ``.owl``...)."""
    return ["." + e for f in RDF_FORMATS for e in f.extensions]
