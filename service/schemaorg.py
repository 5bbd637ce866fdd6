"""The schema.org JSON-LD embedded in the head of ``/id/…`` and term pages."""

from __future__ import annotations

import json

from flask import (
    request,
)
from markupsafe import Markup

from .entityview import Description
from .links import POL

# schema.org types for the JSON-LD embedded in pages.
_SCHEMA_TYPES = {
    "Report": "Report",
    "Enterprise": "Organization",
    "GovernmentBody": "GovernmentOrganization",
    "Place": "Place",
    "PolicyDocument": "CreativeWork",
    "Project": "Project",
    "Indicator": "StatisticalVariable",
    "Observation": "Observation",
}


def schema_org(desc: Description, definition: str = "") -> Markup:
    """schema.org JSON-LD for the page head: name, type, identifier, description, mentions."""
    kinds = [t.iri[len(POL) :] for t in desc.types if t.iri.startswith(POL)]
    schema_type = next((_SCHEMA_TYPES[k] for k in kinds if k in _SCHEMA_TYPES), "DefinedTerm")
    data: dict = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "@id": desc.iri,
        "name": desc.label,
        "inLanguage": "zh",
        "url": request.base_url,
    }
    if definition:
        data["description"] = definition
    if desc.mentions:
        data["subjectOf"] = [
            {"@type": "Report", "@id": iri, "name": label}
            for iri, label in dict.fromkeys((m.report.iri, m.report.label) for m in desc.mentions)
        ]
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return Markup(f'<script type="application/ld+json">{text}</script>')
