// The query page works without this file; it only adds comfort:
// Ctrl/Cmd+Enter runs the query, Tab indents, examples load into the editor,
// and a syntax error puts the cursor where the engine stopped.
(function () {
  "use strict";
  var editor = document.getElementById("query");
  if (!editor) { return; }

  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      editor.form.submit();
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      var start = editor.selectionStart;
      editor.setRangeText("  ", start, editor.selectionEnd, "end");
    }
  });

  document.querySelectorAll(".examples a[data-query]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      event.preventDefault();
      editor.value = link.getAttribute("data-query");
      editor.focus();
      editor.scrollIntoView({ block: "center" });
    });
  });

  var line = parseInt(editor.getAttribute("data-error-line"), 10);
  var column = parseInt(editor.getAttribute("data-error-column"), 10) || 1;
  if (line > 0) {
    var lines = editor.value.split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { offset += lines[i].length + 1; }
    offset = Math.min(offset + column - 1, editor.value.length);
    editor.focus();
    editor.setSelectionRange(offset, offset);
  }
}());
