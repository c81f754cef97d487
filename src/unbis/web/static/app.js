// UNBIS Indexer web page: suggest, highlight evidence, record decisions, export the accepted set.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = {
  result: null,          // last /api/.../suggest response
  documentId: null,      // feedback store id of the document (created on the first decision)
  decisions: new Map(),  // uri -> {decision, source, concept}
  focused: null,         // uri whose evidence is emphasised
  saved: 0,
};

function labelLanguage() { return $("#label-language").value; }
function labelOf(concept) { return (concept.labels && concept.labels[labelLanguage()]) || concept.label; }
function pathText(paths) {
  return (paths || []).map((chain) => chain.map((g) => g.labels[labelLanguage()] || g.labels.en || g.code)
    .join(" › ")).join("; ");
}
function setStatus(text, isError) {
  const el = $("#status");
  el.textContent = text;
  el.style.color = isError ? "var(--bad)" : "";
}

// -- suggesting -------------------------------------------------------------------------------
async function suggest(event) {
  event.preventDefault();
  const form = new FormData();
  const file = $("#file").files[0];
  if (file) form.append("file", file); else form.append("text", $("#text").value);
  form.append("language", $("#doc-language").value);
  form.append("label_language", labelLanguage());
  if ($("#limit").value) form.append("limit", $("#limit").value);  // issue 18: empty = the project's stored limit
  setStatus("Suggesting…");
  try {
    const result = await api(`/api/projects/${encodeURIComponent($("#project").value)}/suggest`,
                             {method: "POST", body: form});
    state.result = result;
    state.documentId = null;
    state.decisions = new Map();
    state.focused = null;
    state.saved = 0;
    $("#results").classList.remove("hidden");
    render();
    setStatus(`${result.suggestions.length} suggestions · document language ${result.language}` +
              (result.language_detected ? " (detected)" : ""));
  } catch (err) {
    setStatus(err.message, true);
  }
}

function render() {
  const r = state.result;
  if (!r) return;
  const rtl = labelLanguage() === "ar";
  for (const id of ["#suggest-panel", "#accepted-panel"]) $(id).setAttribute("dir", rtl ? "rtl" : "ltr");
  $("#model-info").textContent = `${r.project} · model ${r.model_version}`;
  const list = $("#suggestions");
  list.replaceChildren();
  for (const s of r.suggestions) {
    const d = state.decisions.get(s.uri);
    const item = el("li", {class: "suggestion" + (d ? " " + d.decision : "") + (state.focused === s.uri ? " focused" : ""),
                           "data-uri": s.uri, onclick: () => { state.focused = s.uri; render(); }},
      el("span", {class: "rank"}, s.rank),
      el("span", {class: "label", title: s.uri}, labelOf(s)),
      el("span", {class: "score"}, s.score.toFixed(3)),
      el("div", {class: "bar"}, el("span", {style: `width:${Math.round(100 * s.score)}%`})),
      el("span", {class: "path"}, pathText(s.paths)),
      el("div", {class: "actions"},
        el("button", {type: "button", class: "accept", onclick: (e) => { e.stopPropagation(); decide(s, "accepted", "suggested"); }}, "Accept"),
        el("button", {type: "button", class: "reject", onclick: (e) => { e.stopPropagation(); decide(s, "rejected", "suggested"); }}, "Reject"),
        el("span", {class: "ev"}, s.evidence.length ? `${s.evidence.length} evidence span(s)` : "")));
    list.append(item);
  }
  renderText();
  renderAccepted();
}

// Highlight every evidence span; the focused suggestion's spans stand out.
function renderText() {
  const r = state.result;
  const text = r.text;
  const spans = [];
  const units = utf16Offsets(text);  // issue 18: the server counts code points, slice() UTF-16 units
  for (const s of r.suggestions) for (const e of s.evidence) {
    spans.push({start: units[e.start] ?? text.length, end: units[e.end] ?? text.length, uri: s.uri});
  }
  const cuts = new Set([0, text.length]);
  for (const sp of spans) { cuts.add(Math.max(0, sp.start)); cuts.add(Math.min(text.length, sp.end)); }
  const points = [...cuts].sort((a, b) => a - b);
  const box = $("#doc-text");
  box.replaceChildren();
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const covering = spans.filter((sp) => sp.start <= a && sp.end >= b);
    const piece = text.slice(a, b);
    if (!covering.length) { box.append(piece); continue; }
    const focus = covering.some((sp) => sp.uri === state.focused);
    const names = covering.map((sp) => labelOf(r.suggestions.find((s) => s.uri === sp.uri)));
    box.append(el("mark", {class: focus ? "focus" : "", title: [...new Set(names)].join(", ")}, piece));
  }
  const first = box.querySelector("mark.focus");
  if (first) first.scrollIntoView({block: "nearest"});
}

// -- decisions ----------------------------------------------------------------------------------
async function ensureDocument() {
  if (state.documentId) return state.documentId;
  const r = state.result;
  const body = {text: r.text, name: r.filename, language: r.language};
  state.documentId = (await api("/api/documents", {method: "POST", headers: {"Content-Type": "application/json"},
                                                   body: JSON.stringify(body)})).document_id;
  return state.documentId;
}

async function decide(concept, decision, source) {
  try {
    const documentId = await ensureDocument();
    await api("/api/feedback", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({
      document_id: documentId, project: state.result.project, model_version: state.result.model_version,
      uri: concept.uri, decision, source, score: concept.score ?? null,
    })});
    state.decisions.set(concept.uri, {decision, source, concept});
    state.saved += 1;
    render();
    setStatus(`Saved ${state.saved} decision(s) for document #${documentId}.`);
  } catch (err) {
    setStatus(`Could not save the decision: ${err.message}`, true);
  }
}

function accepted() {
  return [...state.decisions.values()].filter((d) => d.decision === "accepted");
}

function renderAccepted() {
  const list = $("#accepted");
  list.replaceChildren();
  for (const d of accepted()) {
    list.append(el("li", {"data-uri": d.concept.uri}, labelOf(d.concept) + " ",
                   el("span", {class: "src"}, d.source === "added" ? "(added)" : "")));
  }
  $("#accepted-count").textContent = String(accepted().length);
  $("#export-preview").value = exportText($("#export-format").value);
}

// -- export -------------------------------------------------------------------------------------
function exportText(format) {
  const rows = accepted().map((d) => ({uri: d.concept.uri, label: labelOf(d.concept), labels: d.concept.labels,
                                       source: d.source, score: d.concept.score ?? null}));
  if (format === "json") return JSON.stringify(rows, null, 1);
  if (format === "tsv") return rows.map((r) => `<${r.uri}>\t${r.label}`).join("\n");
  // MARC 21 650 (topical term), MARCMaker line syntax: 2nd indicator 7 = source in $2 (unbist = UNBIS Thesaurus).
  return rows.map((r) => `=650  \\7$a${r.label.replace(/\$/g, "{dollar}")}$0${r.uri}$2unbist`).join("\n");
}

async function copyExport() {
  const text = exportText($("#export-format").value);
  try {
    await navigator.clipboard.writeText(text);
  } catch (_err) {  // no clipboard permission: select the preview and use the legacy command
    $("#export-preview").select();
    document.execCommand("copy");
  }
  setStatus(`Copied ${accepted().length} descriptor(s).`);
}

function downloadExport() {
  const format = $("#export-format").value;
  const ext = {marc: "mrk", json: "json", tsv: "tsv"}[format];
  const blob = new Blob([exportText(format) + "\n"], {type: "text/plain;charset=utf-8"});
  const link = el("a", {href: URL.createObjectURL(blob), download: `unbis-subjects.${ext}`});
  link.click();
  URL.revokeObjectURL(link.href);
}

// -- autocomplete ---------------------------------------------------------------------------------
let searchTimer = null;
let searchSeq = 0;
async function searchConcepts() {
  const q = $("#add-input").value.trim();
  const box = $("#add-results");
  if (!q) { box.replaceChildren(); return; }
  const seq = ++searchSeq;
  const params = new URLSearchParams({q, label_language: labelLanguage(), limit: "12"});
  try {
    const hits = await api(`/api/projects/${encodeURIComponent($("#project").value)}/concepts?${params}`);
    if (seq !== searchSeq) return;  // a newer keystroke already answered
    box.replaceChildren(...hits.map((h) => el("li", {role: "option", "data-uri": h.uri, onclick: () => addConcept(h)},
      labelOf(h), el("div", {class: "path"}, pathText(h.paths)))));
  } catch (err) {
    setStatus(err.message, true);
  }
}
function addConcept(hit) {
  $("#add-results").replaceChildren();
  $("#add-input").value = "";
  if (!state.result) return;
  decide({uri: hit.uri, label: hit.label, labels: hit.labels, paths: hit.paths, score: null}, "accepted", "added");
}

// -- wiring ------------------------------------------------------------------------------------
$("#suggest-form").addEventListener("submit", suggest);
$("#label-language").addEventListener("change", render);
$("#export-format").addEventListener("change", renderAccepted);
$("#copy-export").addEventListener("click", copyExport);
$("#download-export").addEventListener("click", downloadExport);
$("#add-input").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(searchConcepts, 150); });
$("#add-input").addEventListener("keydown", (e) => {
  if (e.key === "Enter") { e.preventDefault(); const first = $("#add-results li"); if (first) first.click(); }
});
$("#file").addEventListener("change", () => { if ($("#file").files.length) $("#text").value = ""; });

// ==== issue 18: code-point offsets (begin) ======================================================
// The API key for writes lives in api.js, shared with the review queue.
// Evidence offsets count code points (Python str); JavaScript strings index UTF-16 units, in which an
// emoji or a CJK Extension B character takes two. offsets[i] = the UTF-16 index of code point i.
function utf16Offsets(text) {
  const offsets = [];
  let unit = 0;
  for (const ch of text) { offsets.push(unit); unit += ch.length; }
  offsets.push(unit);
  return offsets;
}
// ==== issue 18 (end) =============================================================================
