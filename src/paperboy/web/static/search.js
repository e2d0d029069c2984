// paperboy static site: search in the browser. search/shards.json lists the monthly shards,
// newest first; each search/YYYY-MM.json.gz holds rows of
// [id, day, category index, title, authors, categories, abstract]. A query fetches shards,
// newest first, only until it has enough hits; "Search earlier papers" goes on.
// Results are built with DOM calls and textContent only: nothing from the index is parsed as HTML.
(function () {
  "use strict";
  const form = document.getElementById("static-search");
  if (!form) return;
  const box = form.querySelector('input[name="q"]');
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  const more = document.getElementById("more");
  const LIMIT = 100;  // hits shown
  const STEP = 12;  // most shards fetched for one click
  const FROM_DISK = "Search cannot run on a page opened from the disk (file://): the browser " +
    "does not let it fetch the search index. Serve this folder instead: run " +
    "`python3 -m http.server` in it and open http://localhost:8000/search/";
  const shardBase = form.dataset.shards.replace(/shards\.json$/, "");
  let index = null;
  const shards = new Map();  // month -> rows, each with its folded fields once searched
  let search = null;  // {terms, next: position in index.shards, hits: [[score, row]]}

  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

  // 'ti:"neural field" au:he -survey cat:cs.RO' -> [{field, text, negate}]
  function parse(query) {
    const terms = [];
    const re = /(-?)(?:(ti|au|abs|cat|all):)?(?:"([^"]*)"?|(\S+))/gi;
    let m;
    while ((m = re.exec(query)) !== null) {
      const text = fold((m[3] !== undefined ? m[3] : m[4] || "").replace(/_/g, " ")).trim();
      if (text && !/^(and|or|not|andnot)$/i.test(text)) {
        terms.push({ negate: m[1] === "-", field: (m[2] || "all").toLowerCase(), text: text.replace(/\*$/, "") });
      }
    }
    return terms;
  }

  const WEIGHT = { ti: 10, au: 6, cat: 4, abs: 2 };

  function score(row, terms) {
    if (!row.f) row.f = { ti: fold(row[3]), au: fold(row[4]), cat: fold(row[5]), abs: fold(row[6]) };
    let total = 0;
    for (const t of terms) {
      let best = 0;
      for (const field of t.field === "all" ? ["ti", "au", "cat", "abs"] : [t.field]) {
        if (row.f[field].includes(t.text)) { best = WEIGHT[field]; break; }
      }
      if ((best > 0) === t.negate) return 0;
      total += best;
    }
    return total;
  }

  // An arXiv id in any form people paste: 2103.15358v2, arXiv:…, https://arxiv.org/pdf/…, cs/0112017.
  const ID = /^(?:https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html)\/|arxiv:)?(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[a-z]{2})?\/\d{7})(?:v\d+)?(?:\.pdf)?\/?$/i;

  function idMonths(id) {
    const digits = id.includes("/") ? id.split("/")[1] : id;
    const yy = Number(digits.slice(0, 2));
    const month = (yy >= 91 ? 1900 : 2000) + yy + "-" + digits.slice(2, 4);
    // Ids are numbered by arXiv's (Eastern) month, days filed by UTC: look around it too.
    const at = index.shards.findIndex((s) => s[0] <= month);
    return index.shards.slice(Math.max(0, at - 1), at + 2).map((s) => s[0]);
  }

  function link(row) {
    return form.dataset.root + index.categories[row[2]] + "/" + row[1] + "/index.html#" + row[0];
  }

  async function fetchJson(url, gzipped) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(url + ": HTTP " + response.status);
    if (!gzipped) return response.json();
    return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).json();
  }

  async function shard(month) {
    if (!shards.has(month)) shards.set(month, await fetchJson(shardBase + month + ".json.gz", true));
    return shards.get(month);
  }

  async function loadIndex() {
    if (!index) index = await fetchJson(form.dataset.shards, false);
    return index;
  }

  function item(row) {
    const href = link(row);
    const article = document.createElement("article");
    article.className = "paper";
    article.dataset.href = href;
    const meta = document.createElement("div");
    meta.className = "meta";
    const id = document.createElement("a");
    id.className = "id";
    id.href = href;
    id.textContent = "arXiv:" + row[0];
    const day = document.createElement("time");
    day.textContent = row[1];
    meta.append(id, " ", day, " ", row[5]);
    const h = document.createElement("h3");
    h.className = "title";
    const a = document.createElement("a");
    a.href = href;
    a.textContent = row[3];
    h.append(a);
    const authors = document.createElement("p");
    authors.className = "authors";
    authors.textContent = row[4];
    const abstract = document.createElement("p");
    abstract.className = "abstract snippet";
    abstract.textContent = row[6].length > 320 ? row[6].slice(0, 320).replace(/\s+\S*$/, "") + " …" : row[6];
    article.append(meta, h, authors, abstract);
    return article;
  }

  function show() {
    const hits = search.hits.slice().sort((a, b) => b[0] - a[0] || (a[1][1] < b[1][1] ? 1 : -1));
    results.replaceChildren(...hits.slice(0, LIMIT).map(([, row]) => item(row)));
    if (window.paperboyMath) window.paperboyMath(results); // static/math.js
    const searched = index.shards.slice(0, search.next);
    const span = searched.length ? " submitted " + searched[searched.length - 1][0] + " to " + searched[0][0] : "";
    const n = hits.length;
    status.textContent = (n ? n.toLocaleString() + " paper" + (n === 1 ? "" : "s") + " match" + (n === 1 ? "es" : "") : "No papers match") +
      " among the papers" + span + (n > LIMIT ? "; the best " + LIMIT + " are shown." : ".");
    const left = index.shards.length - search.next;
    more.hidden = left === 0;
    if (left) more.textContent = "Search earlier papers (" + left + " more month" + (left === 1 ? "" : "s") + ")";
  }

  async function step() {
    const until = Math.min(index.shards.length, search.next + STEP);
    while (search.next < until) {
      const rows = await shard(index.shards[search.next][0]);
      search.next += 1;
      for (const row of rows) {
        const s = score(row, search.terms);
        if (s > 0) search.hits.push([s, row]);
      }
      if (search.hits.length >= LIMIT) break;
    }
    show();
  }

  async function findId(id) {
    for (const month of idMonths(id)) {
      const row = (await shard(month)).find((r) => r[0].toLowerCase() === id.toLowerCase());
      if (row) { location.assign(link(row)); return; }
    }
    results.replaceChildren();
    status.textContent = "arXiv:" + id + " is not in this site. ";
    const a = document.createElement("a");
    a.href = "https://arxiv.org/abs/" + id;
    a.textContent = "Open it on arXiv";
    status.append(a);
  }

  async function run(query) {
    if (location.protocol === "file:") { status.textContent = FROM_DISK; return; }
    try {
      await loadIndex();
      const id = ID.exec(query.trim());
      if (id) return await findId(id[1]);
      const terms = parse(query);
      if (!terms.some((t) => !t.negate)) {
        results.replaceChildren();
        more.hidden = true;
        status.textContent = "Nothing to search for: type a word to find.";
        return;
      }
      search = { terms: terms, next: 0, hits: [] };
      status.textContent = "Searching…";
      await step();
    } catch (error) {
      status.textContent = "The search index could not be loaded (" + error.message + "). " +
        "If this page was opened from the disk, serve its folder: python3 -m http.server";
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(box.value));
    run(box.value);
  });

  more.addEventListener("click", function () {
    if (search) step().catch((error) => { status.textContent = "The search index could not be loaded (" + error.message + ")."; });
  });

  if (location.protocol === "file:") status.textContent = FROM_DISK;
  const params = new URLSearchParams(location.search);
  const initial = params.get("q") || (params.get("au") ? 'au:"' + params.get("au") + '"' : "");
  if (initial) {
    box.value = initial;
    run(initial);
  }
})();
