"""Recall over the bundled reports: slogans, slogans decomposed, enterprises, projects, projects
linked to an enterprise. Run: .venv/bin/python bench/measure_recall.py out.json (~80 s)."""

import json
import sys
from pathlib import Path

from policykg.kg.extract import find_entities
from policykg.kg.glossary import find_glossary
from policykg.kg.read import read_report
from policykg.kg.slogans import find_slogans
from policykg.kg.structure import parse_structure

out = {}
tot = dict(slogans=0, decomposed=0, enterprises=0, projects=0, owned=0)
for p in sorted(Path("kg/sources").glob("*.txt")):
    doc = read_report(p)
    g = find_glossary(doc.text)
    ss = find_slogans(doc.text, g)
    ents = find_entities(doc.text, parse_structure(doc), g, ss)
    rec = {
        "slogans": {s.label: [c.label for c in s.components] for s in ss},
        "enterprises": {e.label: e.names for e in ents.enterprises},
        "projects": {pr.label: pr.owner for pr in ents.projects},
    }
    out[p.stem] = rec
    row = dict(
        slogans=len(ss),
        decomposed=sum(1 for s in ss if s.components),
        enterprises=len(ents.enterprises),
        projects=len(ents.projects),
        owned=sum(1 for pr in ents.projects if pr.owner),
    )
    for k in tot:
        tot[k] += row[k]
    print(f"{p.stem[:30]:30} " + " ".join(f"{k}={v}" for k, v in row.items()), flush=True)
print("TOTAL", tot)
Path(sys.argv[1]).write_text(json.dumps(out, ensure_ascii=False, indent=1), "utf-8")
