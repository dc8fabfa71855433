// Progressive enhancement only: every form works without this file.
"use strict";

// Tri-state boxes: all, some or none of the selected users hold a product (or
// have a service plan on). The box drives the hidden choice the form sends:
// leave as is, assign (turn on), remove (turn off).
function setupTriState(box) {
  const select = document.getElementById(box.dataset.op);
  if (!select) return;
  const initial = box.dataset.initial;
  const states = initial === "some" ? ["some", "all", "none"] : initial === "all" ? ["all", "none"] : ["none", "all"];
  // The choice's options are, in order: leave as is, all (on), none (off).
  let state = [initial, "all", "none"][select.selectedIndex] || initial;
  const show = () => {
    box.indeterminate = state === "some";
    box.checked = state === "all";
    box.setAttribute("aria-checked", state === "some" ? "mixed" : String(state === "all"));
    select.selectedIndex = state === initial ? 0 : state === "all" ? 1 : 2;
    box.dataset.state = state;
  };
  box.addEventListener("click", (e) => {
    e.preventDefault();
    state = states[(states.indexOf(state) + 1) % states.length];
    // preventDefault on a checkbox click restores its old look after the handler.
    setTimeout(show, 0);
  });
  box.hidden = false;
  select.classList.add("js-hidden");
  show();
}

// The users list: save ticks as they change, so the selection survives any link.
function setupSelection(form) {
  const link = document.getElementById("selected-link");
  const save = () => {
    const data = new FormData(form);
    data.delete("action");
    data.append("ajax", "1");
    fetch(form.getAttribute("action"), { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" })
      .then((r) => r.ok ? r.json() : null)
      .then((j) => {
        if (j && link) link.textContent = j.text;
      })
      .catch(() => {});
  };
  const all = form.querySelector("[data-select-all]");
  const boxes = () => Array.from(form.querySelectorAll("input[name=ticked]"));
  const syncAll = () => {
    if (!all) return;
    const b = boxes();
    const n = b.filter((x) => x.checked).length;
    all.checked = n > 0 && n === b.length;
    all.indeterminate = n > 0 && n < b.length;
  };
  boxes().forEach((b) => b.addEventListener("change", () => { syncAll(); save(); }));
  if (all) {
    all.hidden = false;
    all.addEventListener("change", () => { boxes().forEach((b) => { b.checked = all.checked; }); save(); });
    syncAll();
  }
}

// Import progress: poll the job and move the bar; show the results when done.
function setupProgress(el) {
  if (el.dataset.finished === "true") return;
  const bar = document.getElementById("progress-bar");
  const text = document.getElementById("progress-text");
  const tick = () => {
    fetch(el.dataset.statusUrl, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((j) => {
        bar.max = j.total;
        bar.value = j.processed;
        text.textContent = j.text;
        if (j.status === "succeeded" || j.status === "failed") location.reload();
        else setTimeout(tick, 500);
      })
      .catch(() => setTimeout(tick, 2000));
  };
  setTimeout(tick, 300);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.tri").forEach(setupTriState);
  document.querySelectorAll("form[data-selection]").forEach(setupSelection);
  document.querySelectorAll("#import-progress").forEach(setupProgress);
  document.querySelectorAll("[data-print]").forEach((b) => { b.hidden = false; b.addEventListener("click", () => window.print()); });
  document.querySelectorAll("[data-copy]").forEach((b) => {
    b.hidden = false;
    b.addEventListener("click", () => {
      const t = document.getElementById(b.dataset.copy);
      if (t && navigator.clipboard) navigator.clipboard.writeText(t.textContent.trim());
    });
  });
});
