// The live preview page: no framework, no network but this server.
"use strict";

const $ = (id) => document.getElementById(id);
let current = null;

function status(text) { $("status").textContent = text; }

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function show(state) {
  const error = $("error");
  if (state.error) {
    // An error replaces nothing: the last good preview stays below it.
    error.replaceChildren(element("strong", "error: "), element("span", state.error.error),
      element("div", state.error.hint || "", "hint"));
    error.hidden = false;
    status(`${state.article}: failed (version ${state.version})`);
    return;
  }
  error.hidden = true;
  const warnings = state.warnings || [];
  $("warnings").replaceChildren(...warnings.map((text) => element("li", `warning: ${text}`)));
  $("warnings").hidden = !warnings.length;
  $("pages").replaceChildren(...state.images.map((src, i) => {
    const img = element("img");
    img.src = src;
    img.alt = `Page ${i + 1} of ${state.pages}`;
    return img;
  }));
  $("epub").replaceChildren(...state.epub_text.map((block) =>
    element(["h1", "h2", "h3", "li", "figcaption"].includes(block.tag) ? block.tag : "p",
      block.text)));
  $("changes").replaceChildren(...state.changes.map((change) => {
    const row = element("tr");
    row.append(element("td", change.rule), element("td", change.where));
    for (const value of [change.before, change.after]) {
      const cell = element("td");
      cell.append(element("code", value));
      row.append(cell);
    }
    return row;
  }));
  if (!state.changes.length) $("changes").append(element("tr", "no changes"));
  const warned = state.warnings && state.warnings.length ? `, ${state.warnings.length} warnings` : "";
  status(`${state.article}: ${state.pages} pages (version ${state.version}${warned})`);
}

function look() {
  const query = new URLSearchParams({ page_size: $("page-size").value });
  if ($("theme").value !== "default") query.set("theme", $("theme").value);
  return query.toString();
}

let asked = 0;

async function load(name) {
  current = name;
  const ticket = ++asked;  // only the newest answer is shown
  status(`${name}: building…`);
  const response = await fetch(`/preview/article/${encodeURIComponent(name)}?${look()}`);
  const state = await response.json();
  if (ticket !== asked) return;
  if (!response.ok) { show({ article: name, version: "-", error: state }); return; }
  show(state);
}

async function start() {
  const listing = await (await fetch("/preview/articles")).json();
  const select = $("articles");
  select.replaceChildren(...listing.articles.map((name) => element("option", name)));
  select.addEventListener("change", () => load(select.value));
  $("theme").replaceChildren(...listing.themes.map((name) => element("option", name)));
  $("theme").value = "default";
  $("page-size").replaceChildren(...listing.page_sizes.map((name) => element("option", name)));
  for (const choice of [$("theme"), $("page-size")]) {
    choice.addEventListener("change", () => {
      if (current === "pasted") $("paste").requestSubmit();
      else if (current) load(current);
    });
  }
  if (listing.articles.length) {
    await load(listing.articles[0]);
  } else {
    select.disabled = true;
    status(listing.folder ? `no articles in ${listing.folder}` : "paste an article to preview it");
    $("paste-box").open = true;
  }
  const events = new EventSource("/preview/events");
  events.addEventListener("rebuilt", (event) => {
    const message = JSON.parse(event.data);
    if (message.articles) {  // the folder's listing changed
      select.replaceChildren(...message.articles.map((name) => element("option", name)));
      select.disabled = !message.articles.length;
      if (message.articles.includes(current)) select.value = current;
      else if (current !== "pasted" && message.articles.length) load(select.value);
    } else if (message.article === current) {
      load(current);
    }
  });
  $("paste").addEventListener("submit", async (event) => {
    event.preventDefault();
    current = "pasted";
    const ticket = ++asked;
    status("pasted: building…");
    const response = await fetch(`/preview/paste?${look()}`, {
      method: "POST",
      headers: { "Content-Type": $("paste-format").value },
      body: $("paste-text").value,
    });
    const state = await response.json();
    if (ticket === asked) show(state);
  });
}

start();
