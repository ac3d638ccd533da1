// The newsclean playground: calls the service's own POST /clean, as any client does, and
// draws its answer. No library, no build step, nothing fetched but the service's API.
"use strict";

const $ = (id) => document.getElementById(id);
let lastDiff = "";

function element(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  children.forEach((c) => node.append(c));
  return node;
}

function showError(message) {
  $("status").textContent = "";
  $("error").textContent = message;
  $("error").hidden = false;
}

async function send(body, contentType) {
  const headers = {"Content-Type": contentType};
  if ($("key").value) headers.Authorization = "Bearer " + $("key").value;
  $("error").hidden = true;
  $("status").textContent = "Cleaning…";
  let response;
  try {
    response = await fetch("clean?diff=true", {method: "POST", headers, body});
  } catch (err) {
    showError("The service did not answer: " + err.message);
    return null;
  }
  let answer;
  try {
    answer = await response.json();
  } catch (err) {
    showError(`The service answered ${response.status} without a JSON body.`);
    return null;
  }
  if (!response.ok) {
    const e = answer.error || {};
    showError(`The service refused the article (${e.status || response.status} ${e.code || ""}): `
              + `${e.message || "no message"}` + (e.retry_after !== undefined
                ? ` Try again in ${e.retry_after} s.` : ""));
    return null;
  }
  $("status").textContent = "";
  return answer;
}

async function cleanText() {
  const text = $("input").value;
  const title = $("title").value.trim() || null;
  const answer = await send(JSON.stringify({text, title, diff: true}), "application/json");
  if (answer) render(text, answer);
}

async function openFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = null;
  try {
    text = new TextDecoder("utf-8", {fatal: true}).decode(bytes);
  } catch (err) {
    text = null;  // not UTF-8: the service decodes it (or says why it cannot)
  }
  if (text !== null) {
    $("input").value = text;
    await cleanText();
    return;
  }
  const answer = await send(bytes, "application/octet-stream");
  if (answer) render(null, answer);
}

function labelFor(removal) {
  if (removal.twin === null) return `${removal.kind} · says nothing`;
  return `${removal.kind} · repeats block ${removal.twin}`;
}

// The input, in order: removed blocks struck through in place (runs announced once),
// look-alikes that stay and repairs highlighted.
function drawBefore(text, answer) {
  const pane = $("before");
  pane.replaceChildren();
  if (text === null) {
    pane.append(`The file was not UTF-8: the service read it as ${answer.encoding}. `
                + "Its cleaned form is on the right.");
    return;
  }
  const runAt = new Map(answer.runs.map((r) => [r.start_block, r]));
  // A line repaired in several steps is one mark, with every step's explanation.
  const repairs = new Map();
  answer.fixes.forEach((f) => {
    const key = `${f.start}:${f.end}`;
    if (!repairs.has(key)) repairs.set(key, {start: f.start, end: f.end, kind: "fix", item: []});
    repairs.get(key).item.push(f);
  });
  const marks = [
    ...answer.removed.map((r) => ({start: r.start, end: r.end, kind: "removed", item: r})),
    ...answer.kept_similar.map((k) => ({start: k.start, end: k.end, kind: "similar", item: k})),
    ...repairs.values(),
  ].sort((a, b) => a.start - b.start || (a.kind === "removed" ? -1 : 1));
  let at = 0;
  marks.forEach((mark) => {
    if (mark.start < at) return;  // inside a block already drawn (a repair of a removed block)
    pane.append(text.slice(at, mark.start));
    const body = text.slice(mark.start, mark.end);
    if (mark.kind === "removed") {
      const r = mark.item;
      const run = runAt.get(r.block);
      if (run) pane.append(element("span", {class: "run"}, `Run: ${run.description} (${run.blocks} blocks, removed as one)`));
      const del = element("del", {class: "removed", tabindex: "0", "data-kind": r.kind,
                                  "data-block": r.block, title: r.reason},
                          element("span", {class: "label"}, labelFor(r)), body);
      if (r.twin !== null) {
        del.dataset.twin = r.twin;
        del.addEventListener("click", () => jumpToTwin(r.twin));
        del.addEventListener("keydown", (e) => { if (e.key === "Enter") jumpToTwin(r.twin); });
      }
      pane.append(del);
    } else if (mark.kind === "similar") {
      const k = mark.item;
      pane.append(element("mark", {class: "similar", title: `kept: like block ${k.twin} `
                                   + `(${k.similarity}), ${k.reason}`}, body));
    } else {
      const title = mark.item.map((f) => `${f.step}: ${f.detail}`).join("; ");
      pane.append(element("mark", {class: "fix", title}, body));
    }
    at = mark.end;
  });
  pane.append(text.slice(at));
}

// The cleaned text, with each kept block that a removal repeats marked as its twin.
function drawAfter(answer) {
  const pane = $("after");
  pane.replaceChildren();
  const twins = new Map();
  answer.removed.forEach((r) => {
    if (r.twin_start !== null && !twins.has(r.twin)) twins.set(r.twin, r);
  });
  const spans = [...twins.values()].sort((a, b) => a.twin_start - b.twin_start);
  let at = 0;
  spans.forEach((r) => {
    if (r.twin_start < at) return;
    pane.append(answer.text.slice(at, r.twin_start));
    pane.append(element("span", {class: "twin", id: `twin-${r.twin}`, tabindex: "-1",
                                 title: `block ${r.twin}, kept`},
                        answer.text.slice(r.twin_start, r.twin_end)));
    at = r.twin_end;
  });
  pane.append(answer.text.slice(at));
}

function jumpToTwin(block) {
  document.querySelectorAll(".twin.current").forEach((t) => t.classList.remove("current"));
  const twin = $(`twin-${block}`);
  if (!twin) return;
  twin.classList.add("current");
  twin.scrollIntoView({block: "center"});
  twin.focus({preventScroll: true});
}

function drawEvents(answer) {
  const list = $("events");
  list.replaceChildren();
  answer.runs.forEach((run) => list.append(element("li", {class: "event-run"},
    `Run: ${run.description}, ${run.blocks} blocks pasted again, removed as one`)));
  answer.removed.filter((r) => !r.in_run).forEach((r) => list.append(element("li",
    {class: "event-removed"}, `Block ${r.block} removed: ${labelFor(r)} (${r.reason})`)));
  answer.fixes.forEach((f) => list.append(element("li", {class: "event-fix"},
    `Repaired (${f.step}: ${f.detail}): “${f.before}” → “${f.after}”`)));
  answer.kept_similar.forEach((k) => list.append(element("li", {class: "event-similar"},
    `Block ${k.block} kept, like block ${k.twin} (${k.similarity}): ${k.reason}`)));
}

function render(text, answer) {
  lastDiff = answer.diff || "";
  $("counts").textContent = `${answer.removed.length} removed, ${answer.runs.length} run(s), `
    + `${answer.fixes.length} repair(s), ${answer.kept_similar.length} kept look-alike(s); `
    + (answer.changed ? "changed." : "unchanged: the article was clean.");
  drawEvents(answer);
  drawBefore(text, answer);
  drawAfter(answer);
  $("download").disabled = !lastDiff;
  $("result").hidden = false;
}

$("form").addEventListener("submit", (e) => { e.preventDefault(); cleanText(); });
$("file").addEventListener("change", (e) => { if (e.target.files[0]) openFile(e.target.files[0]); });
$("input").addEventListener("dragover", (e) => { e.preventDefault(); $("input").classList.add("dragging"); });
$("input").addEventListener("dragleave", () => $("input").classList.remove("dragging"));
$("input").addEventListener("drop", (e) => {
  e.preventDefault();
  $("input").classList.remove("dragging");
  if (e.dataTransfer.files[0]) openFile(e.dataTransfer.files[0]);
});
$("download").addEventListener("click", () => {
  const link = element("a", {href: URL.createObjectURL(new Blob([lastDiff], {type: "text/x-diff"})),
                             download: "article.diff"});
  document.body.append(link);
  link.click();
  link.remove();
});
