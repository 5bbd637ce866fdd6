"""The store interface: the embedded store and a remote SPARQL 1.1 server answer alike."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.kg.remote import RemoteStore
from policykg.kg.store import (
    MemoryStore,
    QuerySyntaxError,
    StoreUnavailable,
    open_store,
)

POL = "https://w3id.org/policykg/ontology#"
PARTS = f"""SELECT ?label ?part WHERE {{
  ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label ; <{POL}hasComponent> ?p .
  ?p <http://www.w3.org/2000/01/rdf-schema#label> ?part }}"""


@pytest.fixture(scope="module")
def remote(seed_embedded_server):
    return RemoteStore(seed_embedded_server.url + "/sparql")


def parts(store) -> set[str]:
    rows = store.query(PARTS, bindings={"label": ox.Literal("四主链", language="zh")})
    return {row["part"].value for row in rows}


def test_remote_server_answers_like_the_embedded_store(seed_store, remote):
    assert (
        parts(seed_store)
        == parts(remote)
        == {
            "新能源储能（含氢能）产业",
            "电气装备制造业",
            "医药健康产业",
            "尼龙材料制造业",
        }
    )
    ask = f"ASK {{ ?s a <{POL}Slogan> }}"
    assert seed_store.query(ask) is True and remote.query(ask) is True
    construct = f"CONSTRUCT {{ ?s a <{POL}Slogan> }} WHERE {{ ?s a <{POL}Slogan> }}"
    assert set(seed_store.query(construct)) == set(remote.query(construct))


def test_syntax_errors_carry_their_position(seed_store, remote):
    with pytest.raises(QuerySyntaxError) as error:
        seed_store.query("SELECT ?s WHERE { ?s ?p }")
    assert error.value.line == 1 and error.value.column > 20  # at the closing brace
    with pytest.raises(QuerySyntaxError):
        remote.query("SELECT ?s WHERE { ?s ?p }")


def test_from_clause_wins_over_the_union_default_graph():
    g1, g2, p = ox.NamedNode("http://g/1"), ox.NamedNode("http://g/2"), ox.NamedNode("http://p")
    store = MemoryStore(
        [
            ox.Quad(ox.NamedNode("http://a"), p, ox.Literal("1"), g1),
            ox.Quad(ox.NamedNode("http://b"), p, ox.Literal("2"), g2),
        ]
    )
    assert len(store.query("SELECT * WHERE { ?s ?p ?o }")) == 2
    assert [
        r["s"].value for r in store.query("SELECT ?s FROM <http://g/1> WHERE { ?s ?p ?o }")
    ] == ["http://a"]


def test_missing_store_says_how_to_build_one(tmp_path):
    with pytest.raises(StoreUnavailable, match="policykg build"):
        open_store(tmp_path / "nowhere")


def test_unreachable_remote_is_unavailable():
    with pytest.raises(StoreUnavailable):
        RemoteStore("http://127.0.0.1:9/sparql", timeout=2).query("ASK {}")


def test_a_triple_stated_by_several_reports_matches_once(corpus_store_dir):
    """The default graph is the merge of the graphs (a set), as SPARQL defines it."""
    store = open_store(corpus_store_dir)
    q = """SELECT ?i WHERE { ?i a <https://w3id.org/policykg/ontology#Indicator> ;
             <http://www.w3.org/2000/01/rdf-schema#label> "地区生产总值"@zh }"""
    assert len(store.query(q)) == 1
    graphs = store.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?i <http://www.w3.org/2000/01/rdf-schema#label> "
        '"地区生产总值"@zh } }'
    )
    assert len(graphs) >= 4  # yet each report's graph still states it


def test_protocol_dataset_with_named_graphs_only_has_an_empty_default_graph(seed_store):
    graph = seed_store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")[0]["g"].value
    rows = seed_store.query("SELECT * WHERE { ?s ?p ?o }", default_graphs=[], named_graphs=[graph])
    assert rows == []
