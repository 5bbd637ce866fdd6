"""Records in, quads out: one report's named graph, every fact tied to its evidence. About 530
lines because it is the one place the report graph's shape is written (one writer per kind of
record over the :class:`ReportGraph` that owns the IRIs and evidence nodes they share), to be
read beside ``ontology/README.md``.

:class:`ReportGraph` owns the bookkeeping that every kind of record shares: the report's graph,
text spans (raw offsets and exact quotes, the sentence and section that hold them) and labels.
The ``write_*`` functions below turn each extractor's records into triples of the contract in
``ontology/README.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

from .bodies import body_label, qualify_body
from .document import Document, Span
from .gazetteer import Place
from .identity import enterprise_key, national_place, parent_place, province_scope
from .indicators import indicator_lexicon, normalise, units
from .iri import DEFAULT_BASE, Minter, slug
from .policies import resolve_short_titles
from .vocab import DCTERMS, POL, PROV, RDF, RDFS, SKOS, XSD, typed, zh

Node = ox.NamedNode


class ReportGraph:
    """Quads of one report, in the report's own named graph."""

    def __init__(self, doc: Document, structure, minter: Minter):
        self.doc = doc
        self.structure = structure
        self.minter = minter
        self.graph = Node(minter.report_graph(doc.name))
        self.report = Node(minter.report(doc.name))
        self.quads: list[ox.Quad] = []
        self._rebase = minter.base != DEFAULT_BASE
        self._spans: dict[Span, Node] = {}
        self._labelled: set[Node] = set()
        self.places_written: set[Node] = set()

    def add(self, s: Node, p: Node, o: ox.NamedNode | ox.Literal) -> None:
        if self._rebase:  # IRIs from the lexicons follow a configured base
            s = Node(self.minter.rebase(s.value))
            if isinstance(o, ox.NamedNode):
                o = Node(self.minter.rebase(o.value))
        self.quads.append(ox.Quad(s, p, o, self.graph))

    def entity(self, iri: str, cls: Node, label: str, mentions: Iterable[Span] = ()) -> Node:
        """Declare a thing once (type and label) and tie it to each of its mentions."""
        node = Node(iri)
        self.add(node, RDF.type, cls)
        if node not in self._labelled:
            self._labelled.add(node)
            self.add(node, RDFS.label, zh(label))
        for start, end in mentions:
            self.add(node, PROV.wasDerivedFrom, self.span(start, end))
        return node

    def version(self, kind: str, cls: Node, label: str, mentions: Iterable[Span] = ()) -> Node:
        """A slogan or concept as this report uses it, a version of the term every report of
        that label shares: its parts and definition stay this report's (README, Identity)."""
        node = Node(self.minter.version(kind, label, self.doc.name))
        fresh = node not in self._labelled
        self.entity(node.value, cls, label, mentions)
        if fresh:
            self.add(node, RDF.type, SKOS.Concept)
            self.add(node, POL.inReport, self.report)
            term = Node(self.minter.term(kind, label))
            if term not in self._labelled:
                self.entity(term.value, POL.Term, label)
                self.add(term, RDF.type, SKOS.Concept)
            self.add(node, POL.versionOf, term)
        return node

    def relate(self, s: Node, p: Node, o: Node | ox.Literal, spans: Iterable[Span]) -> None:
        """State ``s p o`` with its evidence: a ``pol:Assertion`` derived from each span."""
        self.add(s, p, o)
        spans = list(spans)
        if not spans:
            return
        key = hashlib.sha1(f"{s.value} {p.value} {o.value}".encode()).hexdigest()[:16]
        node = Node(self.minter.in_report(self.report.value, "assertion", key))
        self.add(node, RDF.type, POL.Assertion)
        self.add(node, POL.assertedSubject, s)
        self.add(node, POL.assertedProperty, p)
        self.add(node, POL.assertedObject, o)
        for start, end in spans:
            self.add(node, PROV.wasDerivedFrom, self.span(start, end))

    def span(self, start: int, end: int) -> Node:
        """The TextSpan for ``doc.text[start:end]``, with raw offsets, quote and sentence."""
        key = (start, end)
        if key in self._spans:
            return self._spans[key]
        sentence = self.structure.sentence_at(start)
        if sentence is not None and (sentence.start, sentence.end) == key:
            return self.sentence(sentence)
        node = self._new_span(key, POL.TextSpan)
        if sentence is not None:
            self.add(node, POL.inSentence, self.sentence(sentence))
        return node

    def sentence(self, sentence) -> Node:
        key = (sentence.start, sentence.end)
        if key in self._spans:
            return self._spans[key]
        node = self._new_span(key, POL.Sentence)
        self.add(node, RDF.type, POL.TextSpan)
        if sentence.section_path:
            self.add(node, POL.inSection, self.section_iri(sentence.section_path))
        return node

    def _new_span(self, key: Span, cls: Node) -> Node:
        evidence = self.doc.evidence(*key)
        iri = self.minter.in_report(self.report.value, "span", f"{evidence.start}-{evidence.end}")
        node = self._spans[key] = Node(iri)
        self.add(node, RDF.type, cls)
        self.add(node, POL.quote, ox.Literal(evidence.quote))
        self.add(node, POL.start, typed(evidence.start, XSD.integer))
        self.add(node, POL.end, typed(evidence.end, XSD.integer))
        self.add(node, POL.inReport, self.report)
        return node

    def section_iri(self, path: str) -> Node:
        return Node(self.minter.in_report(self.report.value, "section", path))


def write_report(rg: ReportGraph, sha256: str) -> None:
    """The report itself: title, date, place, years, issuer, source text."""
    s, doc = rg.structure, rg.doc
    rg.entity(rg.report.value, POL.Report, report_label(s, doc.name))
    rg.add(rg.report, RDF.type, PROV.Entity)
    rg.add(rg.report, DCTERMS.title, zh(s.title or report_label(s, doc.name)))
    rg.add(rg.report, POL.text, ox.Literal(doc.raw))
    rg.add(rg.report, POL.sourceFile, ox.Literal(doc.path.name))
    rg.add(rg.report, POL.sha256, ox.Literal(sha256))
    if s.date:
        rg.add(rg.report, DCTERMS.date, typed(s.date.isoformat(), XSD.date))
    for year in s.years:
        rg.add(rg.report, POL.coversYear, typed(year, XSD.integer))
    place = report_place(rg)
    if place is not None:
        rg.add(rg.report, DCTERMS.spatial, place)
    if s.level:
        rg.add(rg.report, POL.adminLevel, ox.Literal(s.level))
    if s.issuer:
        issuer = body_label(s.issuer)
        body = rg.entity(rg.minter.entity("body", issuer), POL.GovernmentBody, issuer)
        rg.add(rg.report, DCTERMS.creator, body)


def report_label(structure, fallback: str) -> str:
    """The title as printed, led by year and place when it lacks the place (政府工作报告 is
    many reports): 2016年海拉尔区政府工作报告. An untitled report is named by the kind of
    report it says it is (向大会报告工作: 政府工作报告), else by ``fallback``.

    ``dcterms:title`` keeps the printed title; the label must tell reports apart in lists.
    """
    title = structure.title or structure.kind
    if not title:
        return fallback
    if not structure.place or structure.place in title:
        return title
    year = max(structure.years, default=None)
    if year is None:
        return structure.place + title
    return f"{year}年{structure.place}{title.removeprefix(f'{year}年')}"


def report_place(rg: ReportGraph) -> Node | None:
    """The place the report is about, with its GB/T 2260 code and its parents."""
    s = rg.structure
    if not s.place:
        return None
    if s.place_code:
        return place_node(rg, Place(s.place, s.place_code))
    national = national_place(s.place)
    if national is not None:
        return place_node(rg, national)
    return rg.entity(rg.minter.place(s.place, None), POL.Place, s.place)


def place_scope(rg: ReportGraph) -> str:
    """The report's GB/T 2260 code (全国: 100000), else its name: what a project is local to."""
    s = rg.structure
    national = national_place(s.place)
    return s.place_code or (national.code if national else rg.doc.name)


def enterprise_scope(rg: ReportGraph) -> str:
    """The province a report's enterprises are of (410000 for 湛河区), else the report itself."""
    scope = place_scope(rg)
    return province_scope(scope) or scope if scope.isdigit() else scope


def place_node(rg: ReportGraph, place: Place, mentions: Iterable[Span] = ()) -> Node:
    """A GB/T 2260 division with its code and its chain of parents (湛河区 → 平顶山市 → 河南省)."""
    node = rg.entity(rg.minter.place(place.name, place.code), POL.Place, place.name, mentions)
    if node not in rg.places_written:
        rg.places_written.add(node)
        rg.add(node, POL.adminCode, ox.Literal(place.code))
        parent = parent_place(place)
        if parent is not None:
            rg.add(node, POL.within, place_node(rg, parent))
    return node


def write_places(rg: ReportGraph, places) -> None:
    """Divisions the text names, each tied to its mentions; short forms (河南) as altLabels."""
    for record in places:
        node = place_node(rg, record.place, record.mentions)
        add_alt_labels(rg, node, record.forms, record.place.name)


def write_sections(rg: ReportGraph, sections, parent: Node | None = None) -> None:
    """The section tree: number, heading, order, part-of."""
    for order, section in enumerate(sections, start=1):
        node = rg.section_iri(section.path)
        heading = section.heading.strip() or section.number
        rg.entity(node.value, POL.Section, heading)
        rg.add(node, POL.number, ox.Literal(section.number))
        rg.add(node, POL.order, typed(order, XSD.integer))
        rg.add(node, POL.inReport, rg.report)
        rg.add(node, DCTERMS.isPartOf, parent or rg.report)
        write_sections(rg, section.children, node)


def write_policies(rg: ReportGraph, policies, documents, slogan_iris: dict[str, Node]) -> None:
    """Policies (named by slogans where one names them) and the documents about them."""
    doc_nodes: dict[str, Node] = {}
    doc_mentions: dict[str, list[Span]] = {}
    short = resolve_short_titles(rg.doc.text, documents)
    by_title = {d.title: d for d in documents}
    # a short title the report resolves is written after the document it stands for
    for d in sorted(documents, key=lambda d: short.get(d.title) is not None):
        full = by_title.get(short.get(d.title) or "")
        if full is not None:
            node = doc_nodes[full.title]
            rg.entity(node.value, POL.PolicyDocument, full.title, d.mentions)
            rg.add(node, SKOS.altLabel, zh(d.title))
            doc_nodes[d.title], doc_mentions[d.title] = node, d.mentions
            continue
        own = rg.doc.name if d.title in short else None  # 《建议》 alone: this report's own
        iri = rg.minter.document(d.title, d.number, own)
        node = rg.entity(iri, POL.PolicyDocument, d.title, d.mentions)
        rg.add(node, DCTERMS.title, zh(d.title))
        if d.number:
            rg.add(node, POL.documentNumber, ox.Literal(d.number))
        rg.add(rg.report, DCTERMS.references, node)
        said = [d.issue_span] if d.issue_span else []  # the words naming date and issuer
        if d.issued:
            rg.relate(node, DCTERMS.issued, typed(d.issued.isoformat(), XSD.date), said)
        for issuer in d.issuer.split("、") if d.issuer else []:  # 中共中央、国务院: two bodies
            written = qualify_body(issuer, rg.structure)
            issuer = body_label(written)  # 四川省政府办公厅 → 四川省人民政府办公厅
            body = rg.entity(rg.minter.entity("body", issuer), POL.GovernmentBody, issuer)
            add_alt_labels(rg, body, [written], issuer)
            rg.relate(node, DCTERMS.creator, body, said)
        doc_nodes[d.title] = node
        doc_mentions[d.title] = d.mentions
    for p in policies:
        node = rg.entity(rg.minter.entity("policy", p.label), POL.Policy, p.label, p.mentions)
        if p.core in slogan_iris:
            rg.relate(node, POL.namedBy, slogan_iris[p.core], p.mentions[:1])
        for title in p.documents:
            rg.relate(node, POL.document, doc_nodes[title], doc_mentions[title][:1])


def add_alt_labels(rg: ReportGraph, node: Node, labels: Iterable[str], main: str) -> None:
    for label in sorted(set(labels) - {main}):
        rg.add(node, SKOS.altLabel, zh(label))


def write_slogans(rg: ReportGraph, slogans, taxonomy) -> dict[str, Node]:
    """Slogans with their numerals and parts (recursively); returns label → IRI."""
    iris: dict[str, Node] = {}
    for slogan in slogans:
        node = rg.version("slogan", POL.Slogan, slogan.label, slogan.mentions)
        # a compound (四纵四横一管网) counts nothing itself: each of its segments has a numeral
        if slogan.numeral is not None and slogan.form == "count":
            rg.add(node, POL.numeral, typed(slogan.numeral, XSD.integer))
        iris[slogan.label] = node
        for part in slogan.components:
            part_node = write_component(rg, part, taxonomy)
            rg.relate(node, POL.hasComponent, part_node, [(part.start, part.end)])
    return iris


COMPONENT_KINDS = {
    "slogan": ("slogan", POL.Slogan),
    "concept": ("concept", POL.Concept),
}


def write_component(rg: ReportGraph, part, taxonomy) -> Node:
    """A slogan's part: an industry of the taxonomy, a nested slogan, a place or a concept."""
    mention = [(part.start, part.end)]
    if part.kind == "industry":
        node = industry_node(rg, part.label, taxonomy, mention)
    elif part.kind == "place":
        node = local_place(rg, part.label, mention)
    else:
        kind, cls = COMPONENT_KINDS.get(part.kind, COMPONENT_KINDS["concept"])
        node = rg.version(kind, cls, part.label, mention)
    for child in getattr(part, "components", []):
        child_node = write_component(rg, child, taxonomy)
        rg.relate(node, POL.hasComponent, child_node, [(child.start, child.end)])
    return node


def local_place(rg: ReportGraph, label: str, mentions) -> Node:
    """A road or an area of the report's place (长江路, 工业园区), within that place. Many
    cities have a 长江路: the IRI is minted from the place's name and the label together."""
    home, place = rg.structure.place, report_place(rg)
    qualified = label if not home or label.startswith(home) else home + label
    node = rg.entity(rg.minter.place(qualified, None), POL.Place, label, mentions)
    if place is not None:
        rg.add(node, POL.within, place)
    return node


def industry_node(rg: ReportGraph, label: str, taxonomy, mentions) -> Node:
    """The report's own industry (named as written), linked to the taxonomy concept it matches;
    named as the concept is, the concept itself."""
    match = taxonomy.match(label)
    if match is not None and match.label == label:
        iri = match.iri
    else:
        iri = rg.minter.entity("industry", label)
    node = rg.entity(iri, POL.Industry, label, mentions)
    rg.add(node, RDF.type, SKOS.Concept)
    rg.add(node, SKOS.prefLabel, zh(label))
    if match is not None and match.iri != node.value:
        rg.add(node, SKOS.closeMatch, Node(match.iri))
    return node


def write_glossary(rg: ReportGraph, entries, slogans, slogan_iris: dict[str, Node]) -> None:
    """Glossary entries with their definitions and the slogans or concepts they explain."""
    defines: dict[int, list[Node]] = {}
    # “两重”“两新”：A，B: each slogan of a shared entry gets its own clause (label, span)
    own: dict[Node, tuple[str, Span]] = {}
    for slogan in slogans:
        if slogan.defined_by is not None:
            defines.setdefault(slogan.defined_by, []).append(slogan_iris[slogan.label])
            if slogan.definition_span:
                own[slogan_iris[slogan.label]] = (slogan.label, slogan.definition_span)
    for entry in entries:
        iri = rg.minter.in_report(rg.report.value, "glossary", str(entry.number))
        node = rg.entity(iri, POL.GlossaryEntry, entry.heading, [(entry.start, entry.end)])
        rg.add(node, POL.number, ox.Literal(str(entry.number)))
        rg.add(node, SKOS.definition, zh(entry.definition))
        rg.add(node, POL.inReport, rg.report)
        explained = defines.get(entry.number, [])
        for term in entry.terms:
            if term not in slogan_iris:  # a term that is no numbered slogan: a concept
                concept = rg.version(
                    "concept", POL.Concept, term, [(entry.heading_start, entry.heading_end)]
                )
                explained.append(concept)
        clauses = {}
        for t in explained:
            label, (a, b) = own.get(t, ("", (-1, -1)))
            if entry.definition_start <= a < b <= entry.definition_end:
                named = rg.doc.text.rfind(f"“{label}”", entry.definition_start, a)
                clauses[t] = (named if named >= 0 else a, b)  # from “四主链”是指… on
        # words before the first term's own clause (湛河区提出的产业招商分类，“四主链”是指…；
        # “三副链”是指…) say what every term of the entry is: each definition keeps them
        first = min((a for a, _ in clauses.values()), default=entry.definition_start)
        preface = rg.doc.text[entry.definition_start : first]
        for target in explained:
            rg.add(node, POL.explains, target)
            rg.add(target, POL.definedIn, node)
            if len(entry.terms) > 1 and target in clauses:
                a, b = clauses[target]
                definition = preface + rg.doc.text[a:b]
            else:
                definition = entry.definition
            rg.add(target, SKOS.definition, zh(definition))


MEASURES = {"level": POL.Level, "growth": POL.GrowthRate}
KINDS = {"actual": POL.Actual, "target": POL.Target}
BOUNDS = {"at_least": POL.AtLeast, "at_most": POL.AtMost, "about": POL.About}


def write_observations(rg: ReportGraph, observations) -> None:
    """One observation per indicator, area, period, value kind and measure, with every span.

    Values keep their unit as written and add the value in its base unit (pol:normalisedValue,
    pol:baseUnit: 2.4亿元 → 240000000 元); ranges (5%—5.5%) have pol:lowerBound and
    pol:upperBound. A report whose place is not resolved keeps its observations: their area is
    the report's own, unnamed area (see :func:`observation_area`).
    """
    area, resolved = observation_area(rg)
    for o in observations:
        indicator = rg.entity(
            rg.minter.entity("indicator", o.indicator), POL.Indicator, o.indicator
        )
        if o.label != o.indicator:
            rg.add(indicator, SKOS.altLabel, zh(o.label))
        if (known := indicator_lexicon().get(o.indicator)) is not None:
            lower = "true" if known.better == "lower" else "false"
            rg.add(indicator, POL.lowerIsBetter, typed(lower, XSD.boolean))
        if resolved:
            iri = rg.minter.observation(area.value, o.indicator, o.period, o.value_kind, o.measure)
        else:
            key = f"{slug(o.indicator)}/{o.period}/{o.value_kind}/{o.measure}"
            iri = rg.minter.in_report(rg.report.value, "observation", key)
        kind = "实际" if o.value_kind == "actual" else "目标"
        label = f"{o.indicator} {o.period}年{kind}{'增速' if o.measure == 'growth' else ''}"
        node = rg.entity(iri, POL.Observation, label, o.spans)
        rg.add(node, POL.indicator, indicator)
        rg.add(node, POL.period, typed(o.period, XSD.integer))
        rg.add(node, POL.refArea, area)
        rg.add(node, POL.valueKind, KINDS[o.value_kind])
        rg.add(node, POL.measure, MEASURES[o.measure])
        write_values(rg, node, o)
        if o.headline:
            rg.add(node, POL.headlineTarget, typed("true", XSD.boolean))
        if o.commitment:
            rg.add(node, POL.commitment, typed("true", XSD.boolean))


CHECK_KINDS = {
    "parts": POL.PartsSum,
    "share": POL.ShareOfTotal,
    "growth": POL.GrowthBetweenLevels,
    "items": POL.ItemCount,
}


def write_checks(rg: ReportGraph, checks) -> None:
    """Each consistency check (kg.checks) with its figures' spans, at
    ``{report}/check/{kind}/{start}-{end}/{first}``: the stated figure's offsets and where the
    first other figure starts (one total may be checked against several lists of parts)."""
    for check in checks:
        start, end = check.stated_span
        first = next((a for a, b in check.spans if (a, b) != check.stated_span), start)
        node = rg.entity(
            rg.minter.in_report(
                rg.report.value, "check", f"{check.kind}/{start}-{end}/{first}"
            ),
            POL.ConsistencyCheck, check.label, check.spans,
        )  # fmt: skip
        rg.add(node, POL.checkKind, CHECK_KINDS[check.kind])
        rg.add(node, POL.checkPassed, typed("true" if check.passed else "false", XSD.boolean))
        rg.add(node, POL.statedValue, typed(check.stated, XSD.decimal))
        rg.add(node, POL.expectedValue, typed(check.expected, XSD.decimal))
        rg.add(node, POL.statedIn, rg.span(start, end))
        rg.add(node, POL.inReport, rg.report)


def write_values(rg: ReportGraph, node: Node, o) -> None:
    """Value or range, unit as written and in its base unit, bound, or the qualitative words."""
    for prop, norm, value in (
        (POL.value, POL.normalisedValue, o.value),
        (POL.lowerBound, POL.normalisedLowerBound, o.lower),
        (POL.upperBound, POL.normalisedUpperBound, o.upper),
    ):
        if value is None:
            continue
        rg.add(node, prop, typed(value, XSD.decimal))
        normalised = normalise(value, o.unit) if o.unit else None
        if normalised is not None:
            rg.add(node, norm, typed(normalised[0], XSD.decimal))
    if o.unit:
        rg.add(node, POL.unit, ox.Literal(o.unit))
        base = units().get(o.unit)
        if base is not None:
            rg.add(node, POL.baseUnit, ox.Literal(base.base))
    if o.bound:
        rg.add(node, POL.bound, BOUNDS[o.bound])
    if o.target_text:
        rg.add(node, POL.targetText, zh(o.target_text))


def observation_area(rg: ReportGraph) -> tuple[Node, bool]:
    """The place observations are about, and whether it is a resolved place.

    Without a resolved place the area is the report's own: a pol:Place minted inside the
    report, labelled after it, so that no figure is lost and none is attached to a wrong place.
    """
    place = report_place(rg)
    if place is not None:
        return place, True
    iri = rg.minter.in_report(rg.report.value, "area", "place")
    label = f"{report_label(rg.structure, rg.doc.name)}所述地区"
    return rg.entity(iri, POL.Place, label), False


def write_entities(rg: ReportGraph, found, slogan_iris: dict[str, Node], taxonomy) -> None:
    """Enterprises, projects, bodies and their links: industries, owners, leaders."""
    place = report_place(rg)
    enterprise_iris: dict[str, Node] = {}
    for e in found.enterprises:
        iri = rg.minter.scoped("enterprise", enterprise_scope(rg), enterprise_key(e.label))
        node = rg.entity(iri, POL.Enterprise, e.label, e.mentions)
        add_alt_labels(rg, node, e.names, e.label)
        enterprise_iris[e.label] = node
        for industry, evidence in found.enterprise_industries.get(e.label, {}).items():
            rg.relate(node, POL.inIndustry, Node(industry), [evidence])
    for p in found.projects:
        iri = rg.minter.scoped("project", place_scope(rg), p.label)
        node = rg.entity(iri, POL.Project, p.label, p.mentions)
        add_alt_labels(rg, node, p.names, p.label)
        # the project's own name holds its owner and its industry words
        if p.owner in enterprise_iris:
            rg.relate(node, POL.undertakenBy, enterprise_iris[p.owner], p.mentions[:1])
        for industry in p.industries:
            rg.relate(node, POL.inIndustry, Node(industry), p.mentions[:1])
        if place is not None:
            rg.add(node, POL.locatedIn, place)
    for b in found.bodies:
        node = rg.entity(rg.minter.entity("body", b.label), POL.GovernmentBody, b.label, b.mentions)
        add_alt_labels(rg, node, b.names, b.label)
    for leaders in found.leaders:
        leaders_of = [place] if place is not None else []
        leaders_of += [slogan_iris[s] for s in found.chains_near(leaders.span) if s in slogan_iris]
        for label in leaders.labels:
            if label in enterprise_iris:
                for subject in leaders_of:
                    rg.relate(
                        subject, POL.leadingEnterprise, enterprise_iris[label], [leaders.span]
                    )
