// paperboy: the math in titles, abstracts and comments typeset by the vendored KaTeX
// (static/katex, see scripts/vendor-static.sh). The server has already made text-mode LaTeX
// outside the delimiters (360{\deg}, B\'ezier) plain Unicode (paperboy/latex.py). A formula
// KaTeX cannot parse stays as its source text, in the text's own colour.
(function () {
  "use strict";

  const WHERE = "h1.title, h3.title, .abstract, .comment, dd.pre";
  const OPTIONS = {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
    errorColor: "inherit",
    strict: "ignore", // arXiv math has Unicode and text-mode commands; no console noise
    trust: false, // no \href, \url or \html* from a paper's text
    macros: { "\\mbox": "\\text{#1}" }, // LaTeX's, absent from KaTeX
  };

  // Typeset the math under `root` (the document, or results a script has just built).
  function render(root) {
    if (typeof window.renderMathInElement !== "function") return; // KaTeX did not load
    const scope = root || document;
    for (const el of scope.querySelectorAll(WHERE)) {
      if (el.textContent.indexOf("$") >= 0 || el.textContent.indexOf("\\") >= 0) {
        window.renderMathInElement(el, OPTIONS);
      }
    }
    if (scope.matches && scope.matches(WHERE)) window.renderMathInElement(scope, OPTIONS);
  }

  window.paperboyMath = render;
  // Deferred scripts run in order once the page is parsed, so this is done before app.js's
  // DOMContentLoaded handler says the page is ready.
  render(document);
})();
