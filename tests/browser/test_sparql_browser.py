"""The query page in real Chromium on the founding report: an example loads into the editor, a
syntax error puts the caret where the engine stopped, results link to entity pages; and the
same essentials without JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import expect

# Line 4 misses an object: the engine stops at line 5 (not the last, where a caret rests anyway).
BROKEN = "SELECT ?part\nWHERE {\n  ?s rdfs:label ?label .\n  ?s pol:hasComponent\n}\nLIMIT 5"
PARTS = 'SELECT ?part WHERE {\n  ?s rdfs:label "四主链"@zh ; pol:hasComponent ?part .\n}'


def test_an_example_loads_into_the_editor_and_runs(page, site):
    page.goto(f"{site}/sparql")
    page.locator(".examples a", has_text="产业链的产业与企业").click()
    editor = page.locator("#query")
    assert editor.input_value().rstrip().endswith('VALUES (?chain) { ("四主链") }')
    expect(page).to_have_url(f"{site}/sparql")  # loaded, not yet run
    editor.press("Control+Enter")
    expect(page.locator("#results td", has_text="平高集团").first).to_be_visible()
    expect(
        # shown by its label, the IRI on hover
        page.locator(
            "#results td a[title='https://w3id.org/policykg/id/enterprise/410000/ping-gao-22369446']"
        )
    ).not_to_have_count(0)


def test_a_syntax_error_puts_the_caret_on_its_line(page, site):
    page.goto(f"{site}/sparql")
    editor = page.locator("#query")
    prologue = editor.input_value().split("SELECT")[0]
    editor.fill(prologue + BROKEN)
    editor.press("Control+Enter")
    expect(page.locator("#error .position")).to_contain_text("line")
    line = int(editor.get_attribute("data-error-line"))
    assert line == prologue.count("\n") + 5
    expect(editor).to_be_focused()
    caret_line = page.evaluate(
        "() => { const e = document.getElementById('query');"
        " return e.value.slice(0, e.selectionStart).split('\\n').length; }"
    )
    assert caret_line == line
    assert editor.input_value().endswith(BROKEN)  # the query stays to be fixed


def test_without_javascript_the_form_runs_and_links_entities(page_without_js, site):
    page = page_without_js
    page.goto(f"{site}/sparql")
    editor = page.locator("#query")
    editor.fill(editor.input_value().split("SELECT")[0] + PARTS)
    page.locator("form.editor button[type=submit]").click()
    link = page.locator("#results td a[title*='/id/industry/']")
    expect(link).to_have_count(4)
    formats = page.locator(".downloads a").all_inner_texts()
    assert formats == ["json", "xml", "csv", "tsv"]
    link.first.click()
    expect(page).to_have_url(re.compile(r"/(id|terms)/industry/"))
