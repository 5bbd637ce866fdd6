"""Settings are declared once, each with help text; the app refuses settings it does not know.

No store kind to choose: settings are read before any store is opened.
"""

from __future__ import annotations

import pytest

from policykg.service import create_app, settings


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_setting_has_help_text(setting):
    assert setting.name.isupper()
    assert len(setting.help.split()) >= 5, f"{setting.name} needs a sentence of help"
    assert setting.help.endswith(".")
    if setting.default is not None:
        assert isinstance(setting.default, setting.type)


def test_settings_are_declared_once():
    names = [s.name for s in settings.SETTINGS]
    assert len(names) == len(set(names))


def test_config_overrides_defaults_and_derived_values_follow():
    app = create_app({"MAX_ROWS": "7", "MAX_CONCURRENT_QUERIES": 5, "TESTING": True})
    assert app.config["MAX_ROWS"] == 7
    assert app.config["THREADS"] == 9  # MAX_CONCURRENT_QUERIES + 4
    assert app.config["QUERY_TIMEOUT"] == 30.0
    assert app.config["BASE_IRI"] == "https://w3id.org/policykg/id/"


def test_unknown_or_mistyped_settings_are_refused():
    with pytest.raises(ValueError, match="MAX_ROWZ"):
        create_app({"MAX_ROWZ": 10})
    with pytest.raises(ValueError, match="QUERY_TIMEOUT"):
        create_app({"QUERY_TIMEOUT": "soon"})


def test_an_app_without_a_store_answers_503_not_500():
    client = create_app().test_client()
    response = client.get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 503
    assert "--store" in response.get_json()["error"]
