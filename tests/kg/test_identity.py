"""Identity across reports (ontology/README.md, Identity), on several bundled reports built into
one store by the real pipeline: the build passing its SHACL shapes is the first assertion."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.kg.build import build
from policykg.kg.store import open_store
from policykg.kg.vocab import prologue
from policykg.queries import get_query

SOURCES = Path(__file__).resolve().parents[2] / "kg" / "sources"
REPORTS = {
    "zhanhe": "zhanhe-district_2023_plan-report",  # 四个一批 (4 parts), 四主链, 平高集团
    "guizhou": "guizhou-province_2026_gov-work-report",  # 四个一批 too, other parts or none
    "henan": "henan-province_2026_gov-work-report",  # 平高, 比亚迪; 省委“十五五”规划《建议》
    "sichuan": "sichuan-province_2026_gov-work-report",  # 两新 → 大规模设备更新、消费品以旧换新
    "beijing": "beijing-municipality_2026_gov-work-report",  # 两新 too; 《纲要草案》 declared
    "xinjiang": "xinjiang-region_2026_gov-work-report",  # 《建议》 after its full title
}
ID = "https://w3id.org/policykg/id/"
PREFIXES = prologue("pol", "rdfs", "skos", "prov", "dcterms")


def report(key: str) -> str:
    return ID + "report/" + REPORTS[key].replace("_", "-")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    store_dir = tmp_path_factory.mktemp("identity") / "store"
    build([SOURCES / f"{name}.txt" for name in REPORTS.values()], store_dir, dumps=False)
    return store_dir


@pytest.fixture(scope="module")
def store(store_dir):
    opened = open_store(store_dir)
    yield opened
    opened.close()


def select(store, query: str) -> list[dict[str, str]]:
    return [{k: v.value for k, v in row.items()} for row in store.select(PREFIXES + query)]


def versions(store, label: str) -> dict[str, set[str]]:
    """report → the parts its slogan of ``label`` has, for every report that uses it."""
    rows = select(
        store,
        f"""SELECT ?report ?part WHERE {{
              ?term a pol:Term ; rdfs:label "{label}"@zh .
              ?s pol:versionOf ?term ; pol:inReport ?report .
              OPTIONAL {{ ?s pol:hasComponent/rdfs:label ?part }} }}""",
    )
    found: dict[str, set[str]] = {}
    for r in rows:
        found.setdefault(r["report"], set()).update([r["part"]] if "part" in r else [])
    return found


def test_two_reports_keep_their_own_parts_of_one_slogan(store):
    # 湛河区: 引进一批创新引领型机构、发展一批创新引领型企业、建设一批…平台、培育一批…人才
    four = versions(store, "四个一批")
    assert four[report("zhanhe")] == {
        "引进一批创新引领型机构",
        "发展一批创新引领型企业",
        "建设一批创新引领型平台",
        "培育一批创新引领型人才",
    }
    assert report("guizhou") in four
    assert not four[report("guizhou")] & four[report("zhanhe")]
    # 四川: “两新” 大规模设备更新和消费品以旧换新; 北京 names “两新” without its parts
    two = versions(store, "两新")
    assert two[report("sichuan")] == {"大规模设备更新", "消费品以旧换新"}
    assert report("beijing") in two and not two[report("beijing")]


def test_the_shared_term_has_no_parts_and_every_slogan_is_a_version_of_one(store):
    assert not select(store, "SELECT ?t WHERE { ?t a pol:Term ; pol:hasComponent ?p }")
    assert not select(
        store,
        """SELECT ?s WHERE { ?s a pol:Slogan .
             FILTER NOT EXISTS { ?s pol:versionOf ?t ; pol:inReport ?r } }""",
    )
    # one term per kind and label, whatever the number of reports that use it
    terms = select(store, "SELECT ?t ?l WHERE { ?t a pol:Term ; rdfs:label ?l }")
    keys = [(r["t"][len(ID) :].split("/")[0], r["l"]) for r in terms]
    assert len(keys) == len(set(keys)) > 0
    # the reasoner adds the inverse: the term lists each report's version
    rows = select(store, 'SELECT ?v WHERE { ?t rdfs:label "两新"@zh ; pol:hasVersion ?v }')
    assert len(rows) == len(versions(store, "两新")) >= 2


def test_a_short_title_is_the_document_the_same_report_cited_in_full(store):
    # 新疆: 《中共新疆维吾尔自治区委员会关于制定…建议》（以下简称《建议》）
    rows = select(
        store,
        """SELECT ?doc ?title WHERE { ?doc a pol:PolicyDocument ; skos:altLabel "建议"@zh ;
                                              dcterms:title ?title }""",
    )
    assert {r["title"] for r in rows} == {
        "中共新疆维吾尔自治区委员会关于制定自治区国民经济和社会发展第十五个五年规划的建议"
    }
    # 河南: 省委“十五五”规划《建议》, never cited in full: that report's own document
    own = select(store, 'SELECT ?doc WHERE { ?doc a pol:PolicyDocument ; rdfs:label "建议"@zh }')
    assert {r["doc"] for r in own} == {
        ID + "document/jian-yi-c5134eb1/henan-province-2026-gov-work-report"
    }
    # 北京: 《北京市…纲要（草案）》（以下简称《纲要草案》）
    rows = select(
        store,
        'SELECT ?title WHERE { ?doc skos:altLabel "纲要草案"@zh ; dcterms:title ?title }',
    )
    assert {r["title"] for r in rows} >= {"北京市国民经济和社会发展第十五个五年规划纲要（草案）"}


def test_one_company_of_one_province_is_one_enterprise_in_every_report(store):
    # 湛河区 writes 平高集团, 河南省 writes 平高: one company of Henan
    rows = select(
        store,
        f"""SELECT ?label ?report WHERE {{ GRAPH ?g {{
              <{ID}enterprise/410000/ping-gao-22369446> rdfs:label ?label ;
                  prov:wasDerivedFrom/pol:inReport ?report }} }}""",
    )
    assert {(r["label"], r["report"]) for r in rows} == {
        ("平高集团", report("zhanhe")),
        ("平高", report("henan")),
    }
    # 平高电气 is another company (a subsidiary), with its own IRI
    rows = select(
        store,
        f"SELECT ?l WHERE {{ <{ID}enterprise/410000/ping-gao-dian-qi-7b273a1d> rdfs:label ?l }}",
    )
    assert {r["l"] for r in rows} == {"平高电气"}


def test_an_enterprise_is_never_shared_by_reports_of_two_provinces(store):
    rows = select(
        store,
        """SELECT ?e (COUNT(DISTINCT ?province) AS ?n) WHERE {
             ?e a pol:Enterprise ; prov:wasDerivedFrom/pol:inReport/dcterms:spatial/pol:adminCode ?code .
             BIND(SUBSTR(?code, 1, 2) AS ?province) } GROUP BY ?e HAVING (COUNT(DISTINCT ?province) > 1)""",
    )
    assert rows == []
    assert select(store, "SELECT ?e WHERE { ?e a pol:Enterprise }")  # there are enterprises


def test_a_chain_lists_only_the_enterprises_of_its_own_report(store):
    rows = [
        {k: v.value for k, v in row.items()}
        for row in get_query("chain-enterprises").run(store, chain="四主链")
    ]
    labels = {r.get("enterpriseLabel") for r in rows}
    assert {"平高集团", "姚电公司", "双鹤华利药业"} <= labels
    assert "比亚迪" not in labels and "平高" not in labels  # Henan's report, Henan's names
    assert {r["report"] for r in rows} == {report("zhanhe")}


def test_provinces_are_within_the_country(store):
    rows = select(
        store,
        f"""SELECT ?label WHERE {{ <{ID}place/410000> pol:within ?c .
                                   ?c pol:adminCode "100000" ; rdfs:label ?label }}""",
    )
    assert {r["label"] for r in rows} == {"全国"}


def test_a_term_lookup_shows_each_report_s_version(store):
    from policykg.service import create_app

    app = create_app({"TESTING": True}, store=store)
    client = app.test_client()
    hits = client.get("/api/terms?q=两新").get_json()["results"]
    assert [h["uri"] for h in hits if h["prefLabel"] == "两新"] == [
        ID + "slogan/liang-xin-f353079c"
    ]
    answer = client.get("/api/terms/slogan/liang-xin-f353079c").get_json()
    parts = {v["report"]["uri"]: {p["prefLabel"] for p in v["parts"]} for v in answer["versions"]}
    assert parts[report("sichuan")] == {"大规模设备更新", "消费品以旧换新"}
    assert parts[report("beijing")] == set()
    page = client.get("/terms/slogan/liang-xin-f353079c").get_data(as_text=True)
    assert page.count('<article class="version">') == len(parts) >= 2


def test_two_labels_that_read_alike_never_share_an_iri(corpus_store_dir):
    """One IRI is never two things: no resource minted from a label carries two labels whose
    pinyin is the same (the labels of one thing as reports write it differ in characters)."""
    from policykg.kg.iri import pinyin

    with open_store(corpus_store_dir) as store:
        rows = select(
            store,
            """SELECT ?x (GROUP_CONCAT(DISTINCT ?l; separator="|") AS ?labels) WHERE {
                 GRAPH ?g { ?x rdfs:label ?l }
                 FILTER(STRSTARTS(STR(?g), "https://w3id.org/policykg/id/graph/report/"))
               } GROUP BY ?x HAVING (COUNT(DISTINCT ?l) > 1)""",
        )
    # one company the reports write two ways is one thing with two labels, as it should be
    assert any(set(r["labels"].split("|")) == {"双良公司", "双良集团"} for r in rows)
    merged = {
        r["x"]: labels
        for r in rows
        if len(labels := r["labels"].split("|")) > len({pinyin(label) for label in labels})
    }
    assert merged == {}
