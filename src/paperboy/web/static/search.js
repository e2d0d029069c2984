// paperboy static site: search in the browser over search/index.json, rows of
// [id, title, authors, day, categories]. Results are built with DOM calls and textContent only:
// nothing from the index is ever parsed as HTML.
(function () {
  "use strict";
  const form = document.getElementById("static-search");
  if (!form || !form.dataset.index) return;
  const box = form.querySelector('input[name="q"]');
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  const LIMIT = 100;
  let rows = null;

  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

  // 'ti:"neural field" au:he -survey cat:cs.RO' -> [{field, text, negate}]
  function parse(query) {
    const terms = [];
    const re = /(-?)(?:(ti|au|cat|all):)?(?:"([^"]*)"?|(\S+))/gi;
    let m;
    while ((m = re.exec(query)) !== null) {
      const text = fold((m[3] !== undefined ? m[3] : m[4] || "").replace(/_/g, " ")).trim();
      if (text && !/^(and|or|not|andnot)$/i.test(text)) {
        terms.push({ negate: m[1] === "-", field: (m[2] || "all").toLowerCase(), text: text.replace(/\*$/, "") });
      }
    }
    return terms;
  }

  function score(row, terms) {
    const fields = { ti: fold(row[1]), au: fold(row[2]), cat: fold(row[4]) };
    let total = 0;
    for (const t of terms) {
      const inTitle = fields.ti.includes(t.text);
      const where = t.field === "all" ? inTitle || fields.au.includes(t.text) || fields.cat.includes(t.text)
        : fields[t.field].includes(t.text);
      if (where === t.negate) return 0;
      if (!t.negate) total += inTitle ? 10 : 4;
    }
    return total;
  }

  function item(row, base) {
    const article = document.createElement("article");
    article.className = "paper";
    article.id = row[0];
    article.dataset.href = base + row[0] + "/index.html";
    const meta = document.createElement("div");
    meta.className = "meta";
    const id = document.createElement("a");
    id.className = "id";
    id.href = article.dataset.href;
    id.textContent = "arXiv:" + row[0];
    const day = document.createElement("time");
    day.textContent = row[3];
    meta.append(id, " ", day, " ", row[4]);
    const h = document.createElement("h3");
    h.className = "title";
    const a = document.createElement("a");
    a.href = article.dataset.href;
    a.textContent = row[1];
    h.append(a);
    const authors = document.createElement("p");
    authors.className = "authors";
    authors.textContent = row[2];
    article.append(meta, h, authors);
    return article;
  }

  function run(query) {
    const terms = parse(query);
    results.replaceChildren();
    if (!terms.some((t) => !t.negate)) {
      status.textContent = query.trim() ? "Nothing to search for: type a word to find." : status.textContent;
      return;
    }
    const hits = [];
    for (const row of rows) {
      const s = score(row, terms);
      if (s > 0) hits.push([s, row]);
    }
    hits.sort((a, b) => b[0] - a[0] || (a[1][3] < b[1][3] ? 1 : -1));
    status.textContent = hits.length ? hits.length.toLocaleString() + " papers" + (hits.length > LIMIT ? ", the best " + LIMIT + " shown" : "") : "No papers match this query.";
    for (const [, row] of hits.slice(0, LIMIT)) results.append(item(row, form.dataset.paperBase));
    if (window.paperboyMath) window.paperboyMath(results); // static/math.js
  }

  async function load() {
    if (rows) return rows;
    const response = await fetch(form.dataset.index);
    rows = await response.json();
    return rows;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const q = box.value;
    history.replaceState(null, "", "?q=" + encodeURIComponent(q));
    await load();
    run(q);
  });

  const initial = new URLSearchParams(location.search).get("q");
  if (initial) {
    box.value = initial;
    load().then(() => run(initial)).catch(() => { status.textContent = "The search index could not be loaded."; });
  }
})();
