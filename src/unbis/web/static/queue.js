// The review queue page: one document of an `unbis index` run after another, decided with the keyboard.
// Decisions go through the same POST /api/documents and /api/feedback as the main page (with `queue`).
"use strict";

const $ = (sel) => document.querySelector(sel);
const QUEUE = document.body.dataset.queue;
const PROJECT = document.body.dataset.project;
const state = {index: null, item: null, focus: 0, documentId: null, decisions: new Map(), busy: false,
               pending: Promise.resolve()};

// Keys come faster than the server answers: decisions run one after another, in the order pressed.
function serial(task) {
  state.pending = state.pending.then(task, task);
  return state.pending;
}



function setStatus(message, error) {
  const node = $("#queue-status");
  node.textContent = message;
  node.classList.toggle("error", Boolean(error));
}

async function refreshProgress() {
  const p = await api(`/api/queues/${encodeURIComponent(QUEUE)}`);
  $("#progress").textContent = `${p.reviewed} of ${p.total} reviewed`;
  return p;
}

// -- showing a document -------------------------------------------------------------------------------
async function load(index) {
  const item = await api(`/api/queues/${encodeURIComponent(QUEUE)}/items/${index}`);
  state.index = index;
  state.item = item;
  state.focus = 0;
  state.documentId = null;
  state.decisions = new Map();
  for (const s of item.suggestions) if (s.decision) state.decisions.set(s.uri, {decision: s.decision, source: "suggested"});
  for (const s of item.added) state.decisions.set(s.uri, {decision: s.decision, source: "added", label: s.label});
  $("#doc-position").textContent = `Document ${index + 1} of ${item.total}:`;
  $("#doc-name").textContent = item.document;
  $("#doc-state").textContent = item.reviewed ? "(reviewed)" : "";
  clearTimeout(searchTimer);
  $("#add").value = "";
  $("#add-hits").replaceChildren();
  render();
}

function renderText() {
  const item = state.item;
  const focused = item.suggestions[state.focus];
  const spans = [];
  item.suggestions.forEach((s, i) => {
    for (const e of s.evidence || []) spans.push({start: e.start, end: e.end, focus: i === state.focus});
  });
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const box = $("#doc-text");
  box.replaceChildren();
  let pos = 0;
  for (const sp of spans) {
    if (sp.start < pos) continue;  // overlapping spans: the first one shown
    box.append(item.text.slice(pos, sp.start));
    box.append(el("mark", {class: sp.focus ? "focus" : ""}, item.text.slice(sp.start, sp.end)));
    pos = sp.end;
  }
  box.append(item.text.slice(pos));
  const mark = box.querySelector("mark.focus");
  if (mark && focused) mark.scrollIntoView({block: "nearest"});
}

function render() {
  const list = $("#queue-suggestions");
  list.replaceChildren();
  const rows = [...state.item.suggestions.map((s) => ({...s, source: "suggested"})),
                ...[...state.decisions.entries()].filter(([uri, d]) => d.source === "added")
                  .map(([uri, d]) => ({uri, label: d.label || uri, score: null, source: "added"}))];
  rows.forEach((s, i) => {
    const d = state.decisions.get(s.uri);
    const cls = ["qs", i === state.focus ? "focused" : "", d ? d.decision : ""].join(" ");
    list.append(el("li", {class: cls, "data-uri": s.uri, onclick: () => { state.focus = i; render(); }},
      el("span", {class: "rank"}, i + 1),
      el("span", {class: "label"}, s.label),
      el("span", {class: "score"}, s.score == null ? "added" : s.score.toFixed(3)),
      el("span", {class: "state"}, d ? d.decision : "undecided")));
  });
  state.rows = rows;
  renderText();
}

// -- decisions ------------------------------------------------------------------------------------------
async function ensureDocument() {
  if (state.documentId) return state.documentId;
  const body = {text: state.item.text, name: state.item.document};
  state.documentId = (await api("/api/documents", {method: "POST", headers: {"Content-Type": "application/json"},
                                                   body: JSON.stringify(body)})).document_id;
  return state.documentId;
}

async function decide(row, decision, source) {
  const documentId = await ensureDocument();
  await api("/api/feedback", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({
    document_id: documentId, project: PROJECT, model_version: state.item.model_version, uri: row.uri, decision,
    source, score: row.score ?? null, queue: QUEUE,
  })});
  state.decisions.set(row.uri, {decision, source, label: row.label});
}

function decideFocused(decision) {
  const row = state.rows[state.focus];
  if (!row) return Promise.resolve();
  if (state.focus < state.rows.length - 1) state.focus += 1;  // move on at once: the next key is for the next row
  render();
  return serial(async () => {
    try {
      await decide(row, decision, row.source);
      render();
      setStatus(`${decision} ${row.label}`);
    } catch (err) {
      setStatus(`Could not save the decision: ${err.message}`, true);
    }
  });
}

function done() {
  return serial(finish);
}

async function finish() {
  if (state.busy) return;
  state.busy = true;
  try {
    for (const row of state.item.suggestions) {
      if (!state.decisions.has(row.uri)) await decide({...row}, "rejected", "suggested");
    }
    const p = await refreshProgress();
    setStatus(`Document ${state.index + 1} reviewed.`);
    if (p.next === null) {
      render();
      setStatus(`All ${p.total} documents reviewed. Export the reviewed set below.`);
    } else {
      await load(p.next);
    }
  } catch (err) {
    setStatus(`Could not finish the document: ${err.message}`, true);
  } finally {
    state.busy = false;
  }
}

// -- adding a descriptor --------------------------------------------------------------------------------
let searchTimer = null;
async function search() {
  const q = $("#add").value.trim();
  const hits = $("#add-hits");
  if (!q) { hits.replaceChildren(); return []; }
  const found = await api(`/api/projects/${encodeURIComponent(PROJECT)}/concepts?${new URLSearchParams({q, limit: 8})}`);
  hits.replaceChildren(...found.map((c) => el("li", {"data-uri": c.uri, onclick: () => add(c)}, c.label)));
  return found;
}

function add(concept) {
  return serial(() => addNow(concept));
}

async function addNow(concept) {
  try {
    await decide({uri: concept.uri, label: concept.label, score: null}, "accepted", "added");
    clearTimeout(searchTimer);
    $("#add").value = "";
    $("#add-hits").replaceChildren();
    render();
    setStatus(`added ${concept.label}`);
  } catch (err) {
    setStatus(`Could not add: ${err.message}`, true);
  }
}

$("#add").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(search, 150); });
$("#add").addEventListener("keydown", async (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    const found = await search();
    if (found.length) await add(found[0]);
  } else if (event.key === "Escape") {
    $("#add").blur();
  }
});
$("#done").addEventListener("click", done);

document.addEventListener("keydown", async (event) => {
  if (event.target instanceof HTMLInputElement || event.ctrlKey || event.metaKey || event.altKey || !state.item) return;
  const last = state.rows.length - 1;
  switch (event.key) {
    case "j": case "ArrowDown": state.focus = Math.min(state.focus + 1, last); render(); break;
    case "k": case "ArrowUp": state.focus = Math.max(state.focus - 1, 0); render(); break;
    case "a": await decideFocused("accepted"); break;
    case "r": await decideFocused("rejected"); break;
    case "/": event.preventDefault(); $("#add").focus(); break;
    case "Enter": event.preventDefault(); await done(); break;
    case "n": if (state.index < state.item.total - 1) await load(state.index + 1); break;
    case "p": if (state.index > 0) await load(state.index - 1); break;
    default: return;
  }
});

(async () => {
  try {
    const p = await refreshProgress();
    await load(p.next === null ? 0 : p.next);
    document.body.dataset.ready = "1";
  } catch (err) {
    setStatus(`Could not open the queue: ${err.message}`, true);
  }
})();
