// paperboy: keyboard navigation and small comforts. Plain JS, no build step, no framework.
// j/k select the next/previous paper, o or Enter opens it, n/p follow the page's next/previous
// link, a toggles abstracts, s / x save the selected paper or mark it not interested (pressed
// again: taken back), / focuses the search box, ? shows the shortcuts.
(function () {
  "use strict";

  const papers = () => Array.from(document.querySelectorAll(".paper"));
  let current = -1;

  function select(index) {
    const list = papers();
    if (!list.length) return;
    index = Math.max(0, Math.min(list.length - 1, index));
    if (current >= 0 && list[current]) list[current].classList.remove("current");
    current = index;
    const el = list[current];
    el.classList.add("current");
    el.scrollIntoView({ block: "nearest", behavior: "instant" in window ? "instant" : "auto" });
    if (history.replaceState) history.replaceState(null, "", "#" + encodeURIComponent(el.id));
  }

  function follow(key) {
    const link = document.querySelector('a[data-key="' + key + '"]');
    if (link) window.location.href = link.href;
  }

  function open() {
    const el = papers()[current];
    if (el && el.dataset.href) window.location.href = el.dataset.href;
  }

  function setAbstracts(hidden) {
    document.body.classList.toggle("no-abstracts", hidden);
    for (const b of document.querySelectorAll('[data-action="abstracts"]')) {
      b.textContent = hidden ? "Show abstracts" : "Hide abstracts";
    }
    try { localStorage.setItem("paperboy.noAbstracts", hidden ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  // One paper's abstract, against the page's mode: opened in the compact view, shut otherwise.
  function toggleAbstract(el) {
    if (!el) return;
    const compact = document.body.classList.contains("no-abstracts");
    el.classList.toggle(compact ? "open" : "shut");
    el.classList.remove(compact ? "shut" : "open");
  }

  // Triage: chips that keep only the papers with code, or of one venue (from the comment).
  function buildTriage() {
    const bar = document.querySelector("[data-triage]");
    const list = papers();
    if (!bar || list.length < 2) return;
    const venues = new Map();
    let code = 0;
    for (const el of list) {
      if (el.dataset.code) code += 1;
      const v = el.dataset.venue;
      if (v) venues.set(v, (venues.get(v) || 0) + 1);
    }
    const chips = [];
    if (code) chips.push(["code", "Has code", code]);
    const top = Array.from(venues.entries()).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [name, n] of top.slice(0, 12)) chips.push(["venue:" + name, name, n]);
    if (!chips.length) return;
    const label = document.createElement("span");
    label.className = "triage-label";
    label.textContent = "Show only:";
    bar.append(label);
    for (const [key, text, n] of chips) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "chip";
      b.dataset.filter = key;
      b.setAttribute("aria-pressed", "false");
      b.textContent = text + " " + n;
      bar.append(b);
    }
    bar.hidden = false;
  }

  function applyTriage(chosen) {
    for (const b of document.querySelectorAll("[data-filter]")) {
      b.setAttribute("aria-pressed", b.dataset.filter === chosen ? "true" : "false");
    }
    for (const el of papers()) {
      const keep = !chosen ||
        (chosen === "code" ? !!el.dataset.code : el.dataset.venue === chosen.slice(6));
      el.classList.toggle("filtered", !keep);
    }
  }

  // Marks: save (s) / not interested (x), stored in the profile by the server (POST, JSON).
  // The profile they go to: the For you page's own; else the last For you page read in this
  // browser (localStorage), if that profile still exists; else the store's only profile. With
  // none, the buttons stay hidden and the page is as it was.
  const marking = { api: document.body.dataset.api || "", profile: null, marks: {} };

  // On a lab's server every change carries the session's CSRF token, which the server put
  // in a cookie that only this site's pages can read.
  function csrfToken() {
    const found = document.cookie.split("; ").find((c) => c.startsWith("paperboy_csrf="));
    return found ? decodeURIComponent(found.slice("paperboy_csrf=".length)) : "";
  }

  // A change: JSON posted with the CSRF token; the answer's JSON, or an Error with its detail.
  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.detail || response.statusText);
    return answer;
  }

  function markTarget() {
    return papers()[current] || document.querySelector(".paperpage");
  }

  function toast(text) {
    const el = document.querySelector("[data-toast]");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
  }

  function showMark(el, mark) {
    if (mark) el.dataset.mark = mark; else delete el.dataset.mark;
    for (const b of el.querySelectorAll("[data-action='save'], [data-action='hide']")) {
      const on = (b.dataset.action === "save" ? "saved" : "hidden") === mark;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      if (b.dataset.action === "save") b.textContent = on ? "Saved" : "Save";
      else b.textContent = on ? "Not interested ✓" : "Not interested";
    }
  }

  function markables() {
    return Array.from(document.querySelectorAll(".paper, .paperpage"))
      .filter((el) => el.querySelector("[data-marks]"));
  }

  async function mark(el, kind) {
    if (!marking.api) return;
    if (!el || !el.querySelector("[data-marks]")) {
      toast(el ? "Only papers the store holds can be marked." : "Select a paper first (j / k).");
      return;
    }
    if (!marking.profile) {
      toast("No profile to mark papers for: make one with `paperboy profile add`, then open its For you page.");
      return;
    }
    const wanted = el.dataset.mark === kind ? null : kind;
    const url = marking.api + "profiles/" + encodeURIComponent(marking.profile) + "/marks";
    try {
      const answer = await postJSON(url, { arxiv_id: el.id, mark: wanted });
      marking.marks[answer.arxiv_id] = answer.mark;
      showMark(el, answer.mark);
      const who = marking.profile;
      toast(answer.mark === "saved" ? "Saved to " + who + "'s library."
        : answer.mark === "hidden" ? "Marked not interested for " + who + "."
          : "Mark taken off (" + who + ").");
    } catch (e) {
      toast("Could not mark " + el.id + ": " + e.message);
    }
  }

  async function loadMarks() {
    const list = markables();
    if (!marking.api || !list.length) return;
    const own = document.querySelector("[data-profile]");
    let chosen = own ? own.dataset.profile : null;
    try {
      if (chosen) {
        localStorage.setItem("paperboy.profile", chosen);
      }
    } catch (e) { /* private mode */ }
    if (!chosen) {
      const response = await fetch(marking.api + "profiles");
      if (!response.ok) return;
      const names = (await response.json()).map((p) => p.name);
      let remembered = null;
      try { remembered = localStorage.getItem("paperboy.profile"); } catch (e) { /* private mode */ }
      chosen = names.includes(remembered) ? remembered : names.length === 1 ? names[0] : null;
    }
    if (!chosen) return;
    const response = await fetch(marking.api + "profiles/" + encodeURIComponent(chosen) + "/marks");
    if (!response.ok) return;
    marking.profile = chosen;
    marking.marks = (await response.json()).marks;
    for (const el of list) {
      showMark(el, marking.marks[el.id] || null);
      const box = el.querySelector("[data-marks]");
      box.hidden = false;
      box.title = "marks go to the profile " + chosen;
    }
    document.body.dataset.markingProfile = chosen;
  }

  // On a lab's server a day page is the same for every member: their own "For NAME" tabs
  // are added here, from the profiles the API says are theirs.
  async function addProfileTabs() {
    const nav = document.querySelector("nav.tabs[data-for]");
    if (!nav || !marking.api) return;
    const response = await fetch(marking.api + "profiles");
    if (!response.ok) return;
    for (const profile of await response.json()) {
      const tab = document.createElement("a");
      tab.className = "foryou";
      tab.href = nav.dataset.for + encodeURIComponent(profile.name) + "/";
      tab.title = "this day's listing ranked for " + profile.name;
      tab.textContent = "For " + profile.name;
      nav.appendChild(tab);
    }
  }

  // A paper's page: "Add to the reading list" (the group's lists, from the API).
  async function readingLists() {
    const form = document.querySelector("form[data-tolist]");
    const paper = document.querySelector(".paperpage");
    if (!form || !paper || !marking.api) return;
    const response = await fetch(marking.api + "lists");
    if (!response.ok) return;
    const lists = await response.json();
    if (!lists.length) return;
    const choice = form.querySelector("select");
    for (const list of lists) choice.add(new Option(list.name, list.name));
    form.hidden = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const url = marking.api + "lists/" + encodeURIComponent(choice.value) + "/papers";
      try {
        const body = await postJSON(url, { arxiv_id: paper.id, note: form.elements.note.value });
        toast("Added to " + body.name + " (" + body.papers.length + " papers).");
      } catch (e) {
        toast("Could not add " + paper.id + ": " + e.message);
      }
    });
  }

  function help() {
    const dialog = document.getElementById("help");
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }

  function typing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const actions = {
      j: () => select(current + 1),
      k: () => select(current < 0 ? 0 : current - 1),
      o: open,
      Enter: () => { if (current >= 0) open(); },
      n: () => follow("n"),
      p: () => follow("p"),
      a: () => setAbstracts(!document.body.classList.contains("no-abstracts")),
      e: () => toggleAbstract(papers()[current]),
      s: () => mark(markTarget(), "saved"),
      x: () => mark(markTarget(), "hidden"),
      "/": () => {
        const box = document.querySelector('input[type="search"]');
        if (box) { box.focus(); box.select(); }
      },
      "?": help,
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  document.addEventListener("click", function (event) {
    const chip = event.target instanceof Element ? event.target.closest("[data-filter]") : null;
    if (chip) {
      applyTriage(chip.getAttribute("aria-pressed") === "true" ? "" : chip.dataset.filter);
      return;
    }
    const target = event.target instanceof Element ? event.target.closest("[data-action]") : null;
    if (!target) return;
    if (target.dataset.action === "abstracts") setAbstracts(!document.body.classList.contains("no-abstracts"));
    if (target.dataset.action === "abstract") toggleAbstract(target.closest(".paper"));
    if (target.dataset.action === "help") help();
    if (target.dataset.action === "save") mark(target.closest(".paper, .paperpage"), "saved");
    if (target.dataset.action === "hide") mark(target.closest(".paper, .paperpage"), "hidden");
  });

  // "New since your last visit": the latest listing day read, per category, in this browser.
  // A listing after it is marked (its heading and every paper), then becomes the one read.
  function markSince() {
    const note = document.querySelector("[data-since-day]");
    if (!note) return;
    const key = "paperboy.seen." + note.dataset.sinceCategory;
    const day = note.dataset.sinceDay;
    let seen = null;
    try { seen = localStorage.getItem(key); } catch (e) { return; /* private mode */ }
    if (seen && day > seen) {
      note.textContent = "New since your last visit (you last read the listing of " + seen + ").";
      note.hidden = false;
      for (const el of papers()) el.classList.add("unseen");
    }
    if (!seen || day > seen) {
      try { localStorage.setItem(key, day); } catch (e) { /* private mode */ }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    markSince();
    // Titles first: abstracts start collapsed on lists unless the reader opened them.
    let hidden = !!document.querySelector(".papers .paper");
    try {
      const stored = localStorage.getItem("paperboy.noAbstracts");
      if (stored === "1" || stored === "0") hidden = stored === "1";
    } catch (e) { /* private mode */ }
    if (hidden) setAbstracts(true);
    buildTriage();
    // Arriving at #id (from a link or a reload) selects that paper.
    if (location.hash.length > 1) {
      const id = decodeURIComponent(location.hash.slice(1));
      const index = papers().findIndex((el) => el.id === id);
      if (index >= 0) select(index);
    }
    window.paperboyReady = true;
    addProfileTabs().catch(() => { /* no tabs: the page works as before */ });
    readingLists().catch(() => { /* no form: the page works as before */ });
    loadMarks().catch(() => { /* no marks shown: the page works as before */ }).finally(() => {
      window.paperboyMarksReady = true;
    });
  });
})();
