"""PolicyKG: knowledge graphs from Chinese government planning reports.

The code lives in the top-level folders ``kg/`` (reports in, RDF out), ``ontology/``,
``queries/`` and ``service/``; they are installed as ``policykg.kg``, ``policykg.ontology``,
``policykg.queries`` and ``policykg.service`` (see ``pyproject.toml``).
"""

__version__ = "0.1.0"
