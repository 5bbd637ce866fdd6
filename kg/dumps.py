"""Downloadable dumps of the whole knowledge graph, with checksums and a VoID description.
About 450 lines because every format is written from the same gzip members of each graph's
N-Quads, and the VoID description counts what those members hold. The formats themselves are
listed in :mod:`kg.formats`.

Written once by ``policykg build`` / ``policykg dump``, never per request; the service only
lists and serves the files. One call writes, into ``out_dir``::

    policykg.nq.gz      N-Quads   every quad, named graphs kept
    policykg.trig.gz    TriG      every quad, named graphs kept
    policykg.ttl.gz     Turtle    the union of all graphs (distinct triples)
    policykg.nt.gz      N-Triples the union of all graphs
    policykg.jsonld.gz  JSON-LD   every quad, named graphs kept
    policykg.rdf.gz     RDF/XML   the union of all graphs
    void.ttl            VoID: void:Dataset, void:triples, void:dataDump, one subset per graph
    SHA256SUMS          ``sha256sum -c`` compatible checksums of all the files above
    dumps.json          the same listing as JSON, for the service's /dumps/ page

The VoID dataset counts distinct triples of the union graph, which is what the SPARQL service
answers by default; each named graph is a ``void:subset`` whose IRI is the graph IRI itself. A
report has two: ``id:graph/report/{slug}`` (read from it) and ``id:graph/inferred/{slug}``
(materialised over it); both name the report as ``dcterms:source`` and carry its title.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox

from . import formats
from .store import Store
from .vocab import PREFIXES, SCHEMA, VOID

DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
STEM = "policykg"
VOID_FILE = "void.ttl"
SUMS_FILE = "SHA256SUMS"
MANIFEST_FILE = "dumps.json"

DUMPED = ("nq", "trig", "ttl", "nt", "jsonld", "rdf")  # names in kg.formats, the files' suffixes
# (file suffix, format, whether the format keeps named graphs, its W3C format IRI's name)
FORMATS: list[tuple[str, ox.RdfFormat, bool, str]] = [
    (f.name, f.rdf, f.named_graphs, f.w3c)
    for f in (formats.FORMATS[name] for name in DUMPED)
    if f.rdf is not None
]
W3C_FORMATS = formats.W3C
DESCRIPTION = {
    "en": "Numbered slogans, glossary, policies and cited documents, industries, enterprises, "
    "projects, places and indicator targets and results read from Chinese government planning "
    "reports, each fact tied to the exact words it was read from.",
    "zh": "从政府工作报告和国民经济和社会发展计划报告中读出的数字式提法、名词解释、政策与文件、产业、企业、"
    "项目、地点和指标的目标与实绩，每一项事实都连到它所出自的原文。",
}
PUBLISHER = "PolicyKG"
# Vocabularies the data may use; VoID lists those whose terms the store holds.
VOCABULARIES = {
    **{
        n: PREFIXES[n] for n in ("pol", "skos", "prov", "dcterms", "org", "qb", "oa", "rdfs", "owl")
    },
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": SCHEMA.base,
}

_NS = {"void": VOID.base, **{n: PREFIXES[n] for n in ("dcterms", "rdf", "xsd", "pol")}}


@dataclass(frozen=True)
class DumpFile:
    """One written dump: ``triples`` counts the statements it holds (quads or triples)."""

    name: str
    format: str
    path: Path
    sha256: str
    triples: int


def site_root(base_iri: str) -> str:
    """The root the entity base hangs from: ``https://w3id.org/policykg/id/`` → ``…/policykg/``."""
    return urljoin(base_iri, "../") if base_iri.rstrip("/").endswith("/id") else base_iri


def dataset_iri(base_iri: str) -> str:
    """IRI of the VoID dataset: the VoID document at ``/.well-known/void`` with a fragment."""
    return site_root(base_iri) + ".well-known/void#policykg"


def write_dumps(
    store: Store,
    out_dir: Path,
    base_iri: str,
    *,
    license: str = DEFAULT_LICENSE,
    modified: dt.date | None = None,
    graphs: dict[str, list[bytes]] | None = None,
    cache: Path | None = None,
    reuse: Path | None = None,
) -> list[DumpFile]:
    """Write every dump, ``void.ttl``, ``SHA256SUMS`` and ``dumps.json`` into ``out_dir``:
    :func:`write_data_dumps` then :func:`write_void` (which a build runs apart, the first
    while the store loads). ``graphs`` gives each named graph's quads as N-Quads lines (read
    from ``store`` when not given). Returns the data dumps (not ``void.ttl``).

    :raises OSError: if ``out_dir`` cannot be written.
    """
    if graphs is None:
        graphs = _graph_lines(store)
    dumps, triples = write_data_dumps(out_dir, graphs, cache=cache, reuse=reuse)
    write_void(store, out_dir, base_iri, dumps, graphs, triples, license=license, modified=modified)
    return dumps


def write_data_dumps(
    out_dir: Path,
    graphs: dict[str, list[bytes]],
    *,
    parts: Mapping[str, list[list[bytes]]] | None = None,
    triples: Mapping[str, list[bytes]] | None = None,
    cache: Path | None = None,
    reuse: Path | None = None,
) -> tuple[list[DumpFile], int]:
    """Write the dump of ``graphs`` (named graph → N-Quads lines) in every format into
    ``out_dir``; return them and the number of distinct triples. ``triples`` may give a
    graph's sorted lines as triples (:func:`_triple_lines`), made once for the caller too.

    A dump is a concatenation of gzip members, one per named graph, or one per part of it
    where ``parts`` splits a graph's lines (see :func:`_pieces`); the members are kept in
    ``cache`` by their content, and those of the previous build's ``reuse`` directory are
    linked instead of being serialised and compressed again.

    :raises OSError: if ``out_dir`` cannot be written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    quads, union = _pieces(graphs, parts or {}, triples or {})
    members = _Members(cache, reuse)
    groups = [
        (quads, [(suffix, fmt) for suffix, fmt, named, _ in FORMATS if named]),
        (union, [(suffix, fmt) for suffix, fmt, named, _ in FORMATS if not named]),
    ]
    # the two groups side by side: gzip and hashing release the GIL
    with ThreadPoolExecutor(2) as pool:
        written = dict(
            d
            for group in pool.map(lambda g: _write_group(out_dir, g[0], g[1], members), groups)
            for d in group
        )
    return [written[suffix] for suffix, *_ in FORMATS], union.lines


def write_void(
    store: Store,
    out_dir: Path,
    base_iri: str,
    dumps: list[DumpFile],
    graphs: dict[str, list[bytes]],
    triples: int,
    *,
    license: str = DEFAULT_LICENSE,
    modified: dt.date | None = None,
) -> None:
    """Write ``void.ttl`` (the dataset, its subsets and ``dumps``, from ``store``),
    ``SHA256SUMS`` and ``dumps.json`` into ``out_dir``. ``base_iri`` is the entity base
    (``https://w3id.org/policykg/id/``); dumps are announced under ``{site}/dumps/`` beside it.

    :raises OSError: if ``out_dir`` cannot be written.
    """
    out_dir = Path(out_dir)
    modified = modified or dt.date.today()
    void = _void_quads(store, graphs, triples, dumps, base_iri, license, modified)
    void_path = out_dir / VOID_FILE
    prefixes = {**_NS, "formats": W3C_FORMATS, "foaf": VOCABULARIES["foaf"]}
    ox.serialize(void, str(void_path), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    sums = [(d.sha256, d.name) for d in dumps] + [(_sha256(void_path), void_path.name)]
    (out_dir / SUMS_FILE).write_text("".join(f"{h}  {n}\n" for h, n in sums), encoding="ascii")
    (out_dir / MANIFEST_FILE).write_text(
        json.dumps([manifest_row(d) for d in dumps], ensure_ascii=False, indent=1),
        encoding="utf-8",
    )


def read_manifest(out_dir: Path) -> list[DumpFile]:
    """The dumps listed in ``dumps.json`` (empty when no dump was written)."""
    path = Path(out_dir) / MANIFEST_FILE
    if not path.is_file():
        return []
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [
        DumpFile(
            row["name"], row["format"], Path(out_dir) / row["name"], row["sha256"], row["triples"]
        )
        for row in rows
    ]


def _graph_lines(store: Store) -> dict[str, list[bytes]]:
    """Each named graph's quads as N-Quads lines.

    Serialised by the store a graph at a time: iterating quads in Python costs ~50 µs each.
    """
    return {iri: _quad_lines(store.graph_triples(iri), iri) for iri in store.graphs()}


def _quad_lines(ntriples: bytes, graph: str) -> list[bytes]:
    """The N-Triples of one graph as N-Quads lines in it."""
    suffix = f"<{graph}> .\n".encode()
    # an N-Triples line ends with " .\n"; the graph goes before the final dot
    return [line[:-2] + suffix for line in ntriples.splitlines(keepends=True)]


@dataclass
class _Pieces:
    """A dump's pieces (see :func:`_pieces`) and the number of lines they hold."""

    data: list[bytes] = field(default_factory=list)
    lines: int = 0

    def add(self, lines: list[bytes]) -> None:
        self.data.append(b"".join(lines))
        self.lines += len(lines)


def _pieces(
    graphs: dict[str, list[bytes]],
    parts: Mapping[str, list[list[bytes]]],
    triples: Mapping[str, list[bytes]],
) -> tuple[_Pieces, _Pieces]:
    """The dumps' pieces, one per named graph in IRI order (or one per part of it, in the
    order given): its sorted N-Quads lines, and the sorted N-Triples lines of its triples that
    no earlier piece holds (the triple formats hold the union of the graphs, each triple
    once). A stable order, so that dumps are reproducible, and a piece changes only when its
    own triples do: a graph that grows with every report (the summary) comes in parts, one
    per report, so that adding a report adds a part instead of changing the whole graph.
    ``triples`` gives the triples of a graph's sorted lines where they were made already."""
    quads, union = _Pieces(), _Pieces()
    seen: set[bytes] = set()
    for graph in sorted(graphs):
        for lines in parts.get(graph) or [graphs[graph]]:
            ordered = sorted(lines)  # a few ms for lines sorted already
            quads.add(ordered)
            # the graph's triples in the same order (every line loses the same suffix), each
            # once (a graph holds a triple once)
            made = triples.get(graph) if graph not in parts and ordered == lines else None
            fresh = [t for t in made or _triple_lines(ordered, graph) if t not in seen]
            seen.update(fresh)
            union.add(fresh)
    return quads, union


def _triple_lines(lines: list[bytes], graph: str) -> list[bytes]:
    """The lines of one graph without it: its IRI ends each line."""
    cut = len(f" <{graph}> .\n".encode())
    return [line[:-cut] + b" .\n" for line in lines]


def _triple_line(quad_line: bytes) -> bytes:
    """``<s> <p> <o> <g> .`` → ``<s> <p> <o> .``: a graph IRI is the last term and has no space."""
    return quad_line[: quad_line.rindex(b" <")] + b" .\n"


class _Members:
    """Gzip members of serialised pieces, kept in a directory by content (suffix + lines)."""

    def __init__(self, cache: Path | None, reuse: Path | None) -> None:
        self.cache = cache
        self.reuse = reuse
        self._digests: dict[int, bytes] = {}  # by the piece's id: each format's dump asks
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)

    def get(self, suffix: str, piece: bytes, make: Callable[[], bytes]) -> bytes:
        """The gzip member of ``make()``, the serialisation of ``piece`` as ``suffix``."""
        if self.cache is None:
            return _gzip(make())
        if id(piece) not in self._digests:  # the pieces live as long as this object
            self._digests[id(piece)] = hashlib.sha256(piece).digest()
        name = hashlib.sha256(suffix.encode() + b"\0" + self._digests[id(piece)]).hexdigest()[:32]
        name += ".gz"
        path = self.cache / name
        if not path.exists() and self.reuse is not None and (self.reuse / name).is_file():
            with contextlib.suppress(OSError):
                os.link(self.reuse / name, path)
        if path.exists():
            return path.read_bytes()
        member = _gzip(make())
        path.write_bytes(member)
        return member


def _gzip(data: bytes) -> bytes:
    # mtime=0: the same store gives byte-identical files and checksums. Level 3: half the time
    # of gzip's default 6 (0.9 s against 1.9 s for the bundled corpus's 139 MB, a twentieth of
    # a cold build) for files 12% larger (14.2 MB against 12.7)
    return gzip.compress(data, compresslevel=3, mtime=0)


class _Unsplittable(Exception):
    """A serialisation whose header or footer is not the one expected: write it whole."""


def _write_group(
    out_dir: Path, dump: _Pieces, formats: list[tuple[str, ox.RdfFormat]], members: _Members
) -> list[tuple[str, DumpFile]]:
    """The gzipped dump of ``dump``'s pieces (N-Quads, or N-Triples for the triple formats) in each
    of ``formats``: the concatenation of one gzip member per piece, between a header and a
    footer. A piece is parsed once for all the formats: parsing it, not writing it, is what
    costs."""
    source = ox.RdfFormat.N_QUADS if formats[0][1].supports_datasets else ox.RdfFormat.N_TRIPLES
    pieces = [piece for piece in dump.data if piece]
    frames = {suffix: _frame(fmt, source, pieces[0] if pieces else b"") for suffix, fmt in formats}
    parts: dict[str, list[bytes]] = {suffix: [] for suffix, _ in formats}
    for suffix, (head, _, _) in frames.items():
        if head:
            parts[suffix].append(_gzip(head))
    whole: set[str] = set()  # formats whose pieces do not split as expected: written whole
    for i, piece in enumerate(pieces):
        statements = cache(partial(_parse, piece, source))
        for suffix, fmt in formats:
            if suffix in whole:
                continue
            head, between, tail = frames[suffix]
            if i and between:
                parts[suffix].append(_gzip(between))
            make = partial(_body, piece, statements, fmt, source, head, tail)
            try:
                parts[suffix].append(members.get(suffix, piece, make))
            except _Unsplittable:
                whole.add(suffix)
    written = []
    for suffix, fmt in formats:
        if suffix in whole:
            lines = b"".join(pieces)
            data = _gzip(_serialise(lines, _parse(lines, source), fmt, source))
        else:
            tail = frames[suffix][2]
            data = b"".join(parts[suffix] + ([_gzip(tail)] if tail else []))
        name = f"{STEM}.{suffix}.gz"
        (out_dir / name).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        written.append((suffix, DumpFile(name, fmt.media_type, out_dir / name, digest, dump.lines)))
    return written


def _parse(lines: bytes, source: ox.RdfFormat) -> list:
    return list(ox.parse(lines, format=source))


def _serialise(lines: bytes, statements: list, fmt: ox.RdfFormat, source: ox.RdfFormat) -> bytes:
    """``lines`` (of ``source``, parsed as ``statements``) as ``fmt``."""
    if fmt == source:
        return lines
    prefixes = _prefixes() if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(statements, format=fmt, prefixes=prefixes) or b""


def _frame(fmt: ox.RdfFormat, source: ox.RdfFormat, sample: bytes) -> tuple[bytes, bytes, bytes]:
    """What a whole document of ``fmt`` puts before, between and after the pieces' bodies:
    the prefixes of Turtle and TriG, the array of JSON-LD, the root element of RDF/XML."""
    if fmt == source:
        return b"", b"", b""
    if fmt == ox.RdfFormat.JSON_LD:
        return b"[", b",", b"]"
    if fmt == ox.RdfFormat.RDF_XML:
        empty = ox.serialize([], format=fmt) or b""
        footer = b"</rdf:RDF>"
        return empty[: -len(footer)], b"", footer
    whole = _serialise(sample, _parse(sample, source), fmt, source)
    head = b"".join(
        line for line in whole.splitlines(keepends=True) if line.startswith(b"@prefix ")
    )
    return head, b"", b""


def _body(
    piece: bytes,
    statements: Callable[[], list],
    fmt: ox.RdfFormat,
    source: ox.RdfFormat,
    head: bytes,
    tail: bytes,
) -> bytes:
    """A piece serialised as ``fmt``, without the header and footer every piece repeats."""
    whole = _serialise(piece, [] if fmt == source else statements(), fmt, source)
    if fmt == ox.RdfFormat.JSON_LD:
        head, tail = b"[", b"]"
    if not (whole.startswith(head) and whole.endswith(tail)) or len(whole) <= len(head + tail):
        raise _Unsplittable(fmt)
    return whole[len(head) : len(whole) - len(tail)]


def _prefixes() -> dict[str, str]:
    return {n: PREFIXES[n] for n in ("pol", "rdfs", "skos", "prov", "dcterms", "xsd")}


def _void_quads(store, graphs, triples, dumps, base_iri, license, modified) -> list[ox.Triple]:
    counts = {ox.NamedNode(g): len(lines) for g, lines in graphs.items()}

    def v(term: str) -> ox.NamedNode:
        return ox.NamedNode(_NS["void"] + term)

    def dc(term: str) -> ox.NamedNode:
        return ox.NamedNode(_NS["dcterms"] + term)

    rdf_type = ox.NamedNode(_NS["rdf"] + "type")
    ds = ox.NamedNode(dataset_iri(base_iri))
    root = site_root(base_iri)
    date = ox.Literal(modified.isoformat(), datatype=ox.NamedNode(_NS["xsd"] + "date"))
    publisher = ox.BlankNode("publisher")  # a fixed label: the same store, the same file
    foaf = VOCABULARIES["foaf"]
    out = [
        ox.Triple(ds, rdf_type, v("Dataset")),
        ox.Triple(ds, dc("title"), ox.Literal("PolicyKG", language="en")),
        *(
            ox.Triple(ds, dc("description"), ox.Literal(t, language=lang))
            for lang, t in DESCRIPTION.items()
        ),
        ox.Triple(ds, dc("publisher"), publisher),
        ox.Triple(publisher, rdf_type, ox.NamedNode(foaf + "Organization")),
        ox.Triple(publisher, ox.NamedNode(foaf + "name"), ox.Literal(PUBLISHER)),
        ox.Triple(publisher, ox.NamedNode(foaf + "homepage"), ox.NamedNode(root)),
        ox.Triple(ds, dc("license"), ox.NamedNode(license)),
        ox.Triple(ds, dc("modified"), date),
        ox.Triple(ds, v("triples"), _integer(triples)),
        ox.Triple(ds, v("uriSpace"), ox.Literal(base_iri)),
        ox.Triple(ds, v("sparqlEndpoint"), ox.NamedNode(root + "sparql")),
        *(ox.Triple(ds, v("vocabulary"), ox.NamedNode(ns)) for ns in _vocabularies(graphs)),
        *(ox.Triple(ds, v("feature"), ox.NamedNode(W3C_FORMATS + f[3])) for f in FORMATS),
    ]
    for dump in dumps:
        node = ox.NamedNode(root + "dumps/" + dump.name)
        out += [
            ox.Triple(ds, v("dataDump"), node),
            ox.Triple(node, dc("format"), ox.Literal(dump.format)),
        ]
    for graph, count in sorted(counts.items(), key=lambda item: str(item[0])):
        out += [
            ox.Triple(ds, v("subset"), graph),
            ox.Triple(graph, rdf_type, v("Dataset")),
            ox.Triple(graph, v("triples"), _integer(count)),
            ox.Triple(graph, dc("license"), ox.NamedNode(license)),
            ox.Triple(graph, dc("modified"), date),
            *_report_of(store, graph, base_iri),
        ]
    return out


_SPECIALISES = {f"<{PREFIXES['rdfs']}{name}>".encode() for name in ("subClassOf", "subPropertyOf")}
_TYPE = f"<{PREFIXES['rdf']}type>".encode()


def _vocabularies(graphs: dict[str, list[bytes]]) -> list[str]:
    """The namespaces of :data:`VOCABULARIES` whose properties or classes the graphs use, or
    that the ontology's classes and properties specialise (pol:Observation ⊑ qb:Observation).

    Read off the N-Quads lines (the predicate is a line's second term, a class or a broader
    term its third), five times faster than asking the store for its distinct predicates."""
    terms: set[bytes] = set()
    for lines in graphs.values():
        for line in lines:
            _, predicate, rest = line.split(b" ", 2)
            terms.add(predicate)
            if predicate == _TYPE or predicate in _SPECIALISES:
                terms.add(rest.split(b" ", 1)[0])
    iris = [t[1:-1].decode() for t in terms if t.startswith(b"<")]
    return [ns for ns in VOCABULARIES.values() if any(t.startswith(ns) for t in iris)]


def _report_of(store: Store, graph: ox.NamedNode, base_iri: str) -> Iterable[ox.Triple]:
    """A report's subsets (its graph and the graph inferred over it) name the report as source
    and carry its title; the inferred one says what it holds."""
    kind, _, slug = graph.value[len(base_iri + "graph/") :].partition("/")
    if not graph.value.startswith(base_iri + "graph/") or kind not in ("report", "inferred"):
        return []
    report = ox.NamedNode(base_iri + "report/" + slug)
    title = ox.NamedNode(_NS["dcterms"] + "title")
    triples = [ox.Triple(graph, ox.NamedNode(_NS["dcterms"] + "source"), report)]
    report_graph = ox.NamedNode(base_iri + "graph/report/" + slug)
    rows = store.query(
        "SELECT ?g ?r ?title ?t WHERE { GRAPH ?g { ?r ?title ?t } } LIMIT 1",
        bindings={"g": report_graph, "r": report, "title": title},
    )
    for row in rows:  # type: ignore[union-attr]
        triples.append(ox.Triple(graph, title, row["t"]))  # type: ignore[index]
    if kind == "inferred":
        triples.append(ox.Triple(graph, ox.NamedNode(_NS["dcterms"] + "description"), _INFERRED))
    return triples


_INFERRED = ox.Literal(
    "Triples inferred from the ontology's axioms over this report's graph and the lexicon.",
    language="en",
)


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(_NS["xsd"] + "integer"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_row(dump: DumpFile) -> dict:
    """A dump as ``dumps.json`` and ``/dumps/`` (JSON) both list it: the same keys."""
    return {
        "name": dump.name,
        "format": dump.format,
        "triples": dump.triples,
        "sha256": dump.sha256,
        "bytes": dump.path.stat().st_size if dump.path.is_file() else None,
    }
