"""Readable, stable ASCII IRIs for the things a report names.

An IRI says which real thing it names, so it is minted from what identifies that thing across
reports (the identity rules of ``ontology/README.md``)::

    >>> iris = Minter()
    >>> iris.term("slogan", "两新")                     # the label every report shares
    'https://w3id.org/policykg/id/slogan/liang-xin-f353079c'
    >>> iris.version("slogan", "两新", "henan-province_2026_gov-work-report")
    'https://w3id.org/policykg/id/slogan/liang-xin-f353079c/henan-province-2026-gov-work-report'
    >>> iris.scoped("enterprise", "410000", "平高")      # one company of one province
    'https://w3id.org/policykg/id/enterprise/410000/ping-gao-22369446'
    >>> iris.place("湛河区", "410411")                  # a place by its GB/T 2260 code
    'https://w3id.org/policykg/id/place/410411'

The industry taxonomy's concepts are written by hand (``kg/lexicons/industries.ttl``) and
named by their :func:`pinyin` alone.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .vocab import ID_BASE, POL

DEFAULT_BASE = ID_BASE
ONTOLOGY = POL.base
MAX_SLUG = 60


@lru_cache(maxsize=8192)  # a report names its indicators, places and itself again and again
def pinyin(label: str) -> str:
    """Toneless pinyin of ``label``, syllables joined by ``-``; other letters and digits kept.

    >>> pinyin("四纵四横一管网")
    'si-zong-si-heng-yi-guan-wang'
    >>> pinyin("PM2.5平均浓度")
    'pm2-5-ping-jun-nong-du'
    """
    text = unicodedata.normalize("NFKC", label)
    if text.isascii():  # a file's name: pypinyin would keep it as it is
        words = [text]
    else:
        from pypinyin import Style, lazy_pinyin  # here: 0.4 s to import, for what mints

        words = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: chars)
    pieces = re.findall(r"[a-z0-9]+", " ".join(words).lower().replace("ü", "v"))
    return "-".join(pieces) or "x"


@lru_cache(maxsize=8192)
def slug(label: str) -> str:
    """The IRI segment naming ``label``: its :func:`pinyin` (cut after a syllable within
    ``MAX_SLUG``), and for a label in Chinese characters or a cut one ``-`` and 8 hex digits of
    the label's sha1. Pinyin alone is not a name: 三保 and 三包 are both san-bao, 山西 and 陕西
    both shan-xi, and tones would not part 三全 from 三权.

    >>> slug("四纵四横一管网")
    'si-zong-si-heng-yi-guan-wang-b134dcd8'
    >>> slug("三保") != slug("三包")
    True
    >>> slug("zhanhe-district_2023_plan-report")
    'zhanhe-district-2023-plan-report'
    """
    text = unicodedata.normalize("NFKC", label)  # full-width letters and digits name the same
    result = pinyin(text)
    if text.isascii() and len(result) <= MAX_SLUG:
        return result
    if len(result) > MAX_SLUG:  # at a syllable's end
        result = result[: MAX_SLUG + 1].rsplit("-", 1)[0][:MAX_SLUG]
    return result + "-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Minter:
    """Mints IRIs under a configurable base (default ``https://w3id.org/policykg/id/``)."""

    base: str = DEFAULT_BASE

    def rebase(self, iri: str) -> str:
        """An IRI the lexicons write under the default base (the industry taxonomy's), moved
        under this minter's base; any other IRI as it is.

        >>> Minter("http://127.0.0.1:8000/id/").rebase(DEFAULT_BASE + "industry/sheng-wu-yi-yao")
        'http://127.0.0.1:8000/id/industry/sheng-wu-yi-yao'
        """
        if iri.startswith(DEFAULT_BASE) and not iri.startswith(self.base):
            return self.base + iri[len(DEFAULT_BASE) :]
        return iri

    def entity(self, kind: str, label: str) -> str:
        """IRI of a named thing of ``kind`` (slogan, industry, enterprise, ...)."""
        return f"{self.base}{kind}/{slug(label)}"

    def term(self, kind: str, label: str) -> str:
        """The concept every report's ``kind`` of this label is a version of (``pol:Term``)."""
        return self.entity(kind, label)

    def version(self, kind: str, label: str, report_name: str) -> str:
        """A slogan or concept as one report uses it: its parts, its definition, its mentions."""
        return f"{self.entity(kind, label)}/{slug(report_name)}"

    def scoped(self, kind: str, scope: str, label: str) -> str:
        """A thing whose name is unique only within a scope (a province's enterprises, a place's
        projects): ``scope`` is a GB/T 2260 code, or a report's name when its place is unknown."""
        key = scope if scope.isdigit() else f"report-{slug(scope)}"
        return f"{self.base}{kind}/{key}/{slug(label)}"

    def document(
        self, title: str, number: str | None = None, report_name: str | None = None
    ) -> str:
        """A cited document: by its full title and its 文号 when given; ``report_name`` when the
        title is a short one (《建议》) the report does not resolve, so it names that report's own."""
        iri = self.entity("document", title)
        if number:
            iri += f"/{slug(number)}"
        if report_name:
            iri += f"/{slug(report_name)}"
        return iri

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
