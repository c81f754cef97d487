// Shared by the web page (app.js) and the review queue (queue.js): building elements, and calling the
// API with the server's write key when it has one.
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// A server started with --api-key answers 401 to a write without `Authorization: Bearer KEY`: ask the
// indexer for the key once, keep it for this tab (sessionStorage, never on disk) and retry. A wrong key
// is dropped and asked for again at the next 401.
const API_KEY_ITEM = "unbis-api-key";
function withKey(options, key) {
  const headers = new Headers((options && options.headers) || {});
  if (key) headers.set("Authorization", `Bearer ${key}`);
  return {...(options || {}), headers};
}
async function fetchWithKey(url, options) {
  const stored = sessionStorage.getItem(API_KEY_ITEM);
  const response = await fetch(url, withKey(options, stored));
  if (response.status !== 401) return response;
  sessionStorage.removeItem(API_KEY_ITEM);
  const key = window.prompt("This server needs its API key to save decisions. API key:");
  if (!key) return response;
  sessionStorage.setItem(API_KEY_ITEM, key);
  return fetch(url, withKey(options, key));
}

async function api(url, options) {
  const response = await fetchWithKey(url, options);
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Error((body && body.detail) || `HTTP ${response.status}`);
  return body;
}
