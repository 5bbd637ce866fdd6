"""Readable, stable ASCII IRIs for the things a report names.

The IRI of a thing depends only on its kind and its Chinese label, so the same enterprise named
in two reports is one resource::

    >>> iris = Minter()
    >>> iris.entity("slogan", "四主链")
    'https://w3id.org/policykg/id/slogan/si-zhu-lian'
    >>> iris.entity("enterprise", "平高集团")
    'https://w3id.org/policykg/id/enterprise/ping-gao-ji-tuan'
    >>> iris.entity("project", "双鹤华利药业BFS生产线")
    'https://w3id.org/policykg/id/project/shuang-he-hua-li-yao-ye-bfs-sheng-chan-xian'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

DEFAULT_BASE = "https://w3id.org/policykg/id/"
ONTOLOGY = "https://w3id.org/policykg/ontology#"
MAX_SLUG = 60


def slug(label: str) -> str:
    """Toneless pinyin of ``label``, syllables joined by ``-``; other letters and digits kept.

    >>> slug("四纵四横一管网")
    'si-zong-si-heng-yi-guan-wang'
    >>> slug("PM2.5平均浓度")
    'pm2-5-ping-jun-nong-du'
    """
    text = unicodedata.normalize("NFKC", label)
    words = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: chars)
    pieces = re.findall(r"[a-z0-9]+", " ".join(words).lower().replace("ü", "v"))
    result = "-".join(pieces) or "x"
    if len(result) > MAX_SLUG:
        digest = hashlib.sha1(label.encode("utf-8")).hexdigest()[:8]
        result = result[:MAX_SLUG].rstrip("-") + "-" + digest
    return result


@dataclass(frozen=True)
class Minter:
    """Mints IRIs under a configurable base (default ``https://w3id.org/policykg/id/``)."""

    base: str = DEFAULT_BASE

    def entity(self, kind: str, label: str) -> str:
        """IRI of a named thing of ``kind`` (slogan, industry, enterprise, ...)."""
        return f"{self.base}{kind}/{slug(label)}"

    def place(self, label: str, admin_code: str | None) -> str:
        """Places with a GB/T 2260 code are named by it; other places (roads, areas) by pinyin."""
        return f"{self.base}place/{admin_code}" if admin_code else self.entity("place", label)

    def report(self, name: str) -> str:
        return f"{self.base}report/{slug(name)}"

    def report_graph(self, name: str) -> str:
        return f"{self.base}graph/report/{slug(name)}"

    def inferred_graph(self, name: str) -> str:
        """What the ontology's axioms add to one report (kept apart, so that reports don't mix)."""
        return f"{self.base}graph/inferred/{slug(name)}"

    def graph(self, name: str) -> str:
        return f"{self.base}graph/{name}"

    def in_report(self, report_iri: str, kind: str, key: str) -> str:
        """Things that exist only inside one report: sections, spans, glossary entries."""
        return f"{report_iri}/{kind}/{key}"

    def observation(self, area: str, indicator: str, year: int, kind: str, measure: str) -> str:
        area_key = area.rsplit("/", 1)[-1]
        return f"{self.base}observation/{area_key}/{slug(indicator)}/{year}/{kind}/{measure}"
