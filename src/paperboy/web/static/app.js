// paperboy: keyboard navigation and small comforts. Plain JS, no build step, no framework.
// j/k select the next/previous paper, o or Enter opens it, n/p follow the page's next/previous
// link, a toggles abstracts, / focuses the search box, ? shows the shortcuts.
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
    try { localStorage.setItem("paperboy.noAbstracts", hidden ? "1" : ""); } catch (e) { /* private mode */ }
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
    const target = event.target instanceof Element ? event.target.closest("[data-action]") : null;
    if (!target) return;
    if (target.dataset.action === "abstracts") setAbstracts(!document.body.classList.contains("no-abstracts"));
    if (target.dataset.action === "help") help();
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
    let hidden = false;
    try { hidden = localStorage.getItem("paperboy.noAbstracts") === "1"; } catch (e) { /* private mode */ }
    if (hidden) setAbstracts(true);
    // Arriving at #id (from a link or a reload) selects that paper.
    if (location.hash.length > 1) {
      const id = decodeURIComponent(location.hash.slice(1));
      const index = papers().findIndex((el) => el.id === id);
      if (index >= 0) select(index);
    }
    window.paperboyReady = true;
  });
})();
