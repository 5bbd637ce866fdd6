// Results as you type on /terms. The page works without this file: the form is a plain GET
// form answered on the server; this script only fetches the same results from /api/terms.
(function () {
  "use strict";
  // How a name matched, in words (the API answers with its codes: exact, prefix, substring…).
  var MATCH_ZH = { exact: "完全匹配", prefix: "开头匹配", substring: "包含查询词", pinyin: "拼音匹配", glossary: "名词解释" };
  var form = document.querySelector("form.term-search");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  var kind = form.querySelector("select[name=kind]");
  var out = document.getElementById("term-results");
  var api = form.getAttribute("data-api");
  var timer = null;
  var latest = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function render(q, data) {
    out.textContent = "";
    var sections = document.querySelectorAll("section.reports, section.term-index");
    for (var i = 0; i < sections.length; i++) sections[i].hidden = !!q;
    if (!q) return;
    out.appendChild(el("p", "count", "“" + q + "”：" + data.results.length + " 个结果"));
    var list = el("ol", "hits");
    data.results.forEach(function (r) {
      var li = el("li", "hit");
      var a = el("a", "hit-label", r.prefLabel);
      a.href = r.href;
      a.lang = "zh";
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "kind", r.kindLabel || ""));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "pinyin", r.pinyin));
      if (r.altLabel) li.appendChild(el("span", "alt", "（" + r.altLabel + "）"));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "match match-" + r.match, MATCH_ZH[r.match] || ""));
      if (r.snippet) li.appendChild(el("p", "snippet", r.snippet));
      list.appendChild(li);
    });
    if (!data.results.length) list.appendChild(el("li", "none", "没有找到。"));
    out.appendChild(list);
  }

  function lookup() {
    var q = input.value.trim();
    var params = new URLSearchParams({ q: q });
    if (kind && kind.value) params.set("kind", kind.value);
    var shown = new URLSearchParams(params);
    params.set("limit", "50"); // as many as the page the form answers shows
    var ticket = ++latest;
    var page = new URL(window.location.href);
    page.search = q ? shown.toString() : "";
    window.history.replaceState(null, "", page);
    if (!q) { render(q, null); return; }
    fetch(api + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (ticket === latest) render(q, data); })
      .catch(function () { /* the form still works */ });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(lookup, 120);
  }

  input.addEventListener("input", schedule);
  if (kind) kind.addEventListener("change", schedule);
})();
