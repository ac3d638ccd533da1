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

// Each rule (cleaning/rules.py) and each kind of removal (cleaning/passes.py) in words, for
// a reader who has not read the code; a test checks that every rule has its words here.
const RULE_WORDS = {
  revealed_markup: "markup with nothing to read",
  inline_script: "a script or style among the paragraphs",
  headline_copy: "the headline again",
  pasted_run: "part of a passage pasted again",
  abridged_copy: "a teaser of a passage printed whole further on",
  stutter: "printed twice in a row",
  plain_copy_kept: "a copy with leaked markup (the plain copy stays)",
  past_gallery_chrome: "printed again after a photo gallery",
  pasted_alone: "pasted again on its own",
  box_copy: "a highlights-box sentence that the story repeats",
  interface_notice: "a player or browser notice printed again",
  share_bar_again: "a row of share buttons printed again",
  image_label_again: "a photo's credit or alt text printed again",
  menu_again: "an entry of the page's menu printed again",
  chrome_around_body: "page chrome printed above the story and again below it",
  date_line_again: "the date line printed again",
  embedded_post_again: "an embedded post printed again",
  near_duplicate: "the same paragraph, a word or so aside",
  part_of_block: "a part of another paragraph printed on its own (a teaser or a caption)",
  line_after_block: "the last line of the paragraph before, printed again",
  interview_question: "an interview question, which may come back on purpose",
  parallel_sections: "repeats in sections of one structure (an answer, a day's recipe)",
  template: "part of a template, repeated on purpose",
  record_field: "a field of a record, repeated on purpose",
  stanza: "a verse of a song or poem sung again (a chorus)",
  contents_entry: "a section's heading, also listed in the table of contents",
  met_three_times: "met three times or more, so a template",
  short_structure: "a short line that gives the article its structure",
  below_thresholds: "not alike enough to be a copy",
  alignment_cut_short: "too repetitive to compare in full, so kept to be safe",
  neither_part_nor_copy: "mostly inside the other block, but neither a copy nor a teaser",
  different_numbers: "its numbers differ, so it states other facts",
  different_negation: "a negation differs, so it states other facts",
  different_names: "its names differ, so it states other facts",
  group_kept_whole: "without it, the lines around it would read as one block",
  switched_off: "the switch for this kind of removal is off",
};
const KIND_WORDS = {
  markup_only: "markup with nothing to read",
  repeated_headline: "the headline again",
  duplicate: "an exact copy",
  near_duplicate: "the same paragraph, a word or so aside",
  contained: "a part of another paragraph printed on its own",
};
const STEP_WORDS = {
  fix_encoding: "garbled characters (mojibake) repaired",
  unescape_html: "HTML entities decoded",
  remove_invisible: "invisible characters removed",
  normalize_whitespace: "spaces tidied",
  join_cut_urls: "a link cut by the line wrap joined",
};

// "1 block", "2 blocks", "no blocks".
function count(n, one, many) {
  return n === 0 ? `no ${many}` : `${n} ${n === 1 ? one : many}`;
}

function capitalised(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function ruleWords(item) {
  return RULE_WORDS[item.rule] || KIND_WORDS[item.kind] || "kept";
}

function labelFor(removal) {
  const words = capitalised(ruleWords(removal));
  return removal.twin === null ? words : `${words} · repeats block ${removal.twin}`;
}

// A block's number, drawn by the style sheet (::before): it is seen, never copied with the text.
function blockNumber(n) {
  return element("span", {class: "block-no", "data-block": n, "aria-label": `block ${n}`});
}

// The characters that differ between two versions of a line: [op, text] pieces, op "=" for
// kept, "-" for taken out, "+" for put in. A longest common subsequence on characters for
// lines of ordinary size; past that, the common start and end, and the middle replaced.
function charDiff(a, b) {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head
         && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail), y = b.slice(head, b.length - tail);
  const pieces = [];
  const push = (op, text) => {
    if (!text) return;
    const last = pieces[pieces.length - 1];
    if (last && last[0] === op) last[1] += text; else pieces.push([op, text]);
  };
  push("=", a.slice(0, head));
  if (x.length * y.length <= 4000000) {
    const w = y.length + 1;
    const table = new Uint32Array((x.length + 1) * w);  // LCS lengths of the suffixes
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        table[i * w + j] = x[i] === y[j] ? table[(i + 1) * w + j + 1] + 1
          : Math.max(table[(i + 1) * w + j], table[i * w + j + 1]);
      }
    }
    let i = 0, j = 0;
    while (i < x.length && j < y.length) {
      if (x[i] === y[j]) { push("=", x[i]); i++; j++; }
      else if (table[(i + 1) * w + j] >= table[i * w + j + 1]) { push("-", x[i]); i++; }
      else { push("+", y[j]); j++; }
    }
    push("-", x.slice(i));
    push("+", y.slice(j));
  } else {
    push("-", x);
    push("+", y);
  }
  push("=", a.slice(a.length - tail));
  return pieces;
}

// A repair drawn in place: what was taken out struck, what was put in underlined, the rest
// as it was. `context`: how many unchanged characters to show around a change (all if 0).
function drawRepair(before, after, context) {
  const out = document.createDocumentFragment();
  const pieces = charDiff(before, after);
  pieces.forEach(([op, text], n) => {
    if (op === "-") out.append(element("del", {class: "was"}, visible(text)));
    else if (op === "+") out.append(element("ins", {class: "now"}, visible(text)));
    else if (!context || text.length <= 2 * context) out.append(text);
    else {
      const first = n === 0, last = n === pieces.length - 1;
      out.append(first ? "…" + text.slice(-context)
        : last ? text.slice(0, context) + "…"
          : text.slice(0, context) + " … " + text.slice(-context));
    }
  });
  return out;
}

// Characters that would show as nothing, named (a removed space or soft hyphen must be seen).
function visible(text) {
  return text.replace(/ /g, "\u2423").replace(/\u00ad/g, "\u2010").replace(/\t/g, "\u21e5")
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, "\u2027");
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
  // A line repaired in several steps is one mark, with every step's explanation, drawn as
  // the change from the input line to its last step's result.
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
      if (run) pane.append(element("span", {class: "run"}, runWords(run)));
      const del = element("del", {class: "removed", tabindex: "0", "data-kind": r.kind,
                                  "data-rule": r.rule, "data-block": r.block,
                                  title: capitalised(r.reason)},
                          blockNumber(r.block), element("span", {class: "label"}, labelFor(r)),
                          body);
      if (r.twin !== null) {
        del.dataset.twin = r.twin;
        del.addEventListener("click", () => jumpToTwin(r.twin));
        del.addEventListener("keydown", (e) => { if (e.key === "Enter") jumpToTwin(r.twin); });
      }
      pane.append(del);
    } else if (mark.kind === "similar") {
      const k = mark.item;
      pane.append(element("mark", {class: "similar", "data-block": k.block,
                                   title: similarWords(k)}, blockNumber(k.block), body));
    } else {
      const title = mark.item.map(stepWords).join("; ");
      const last = mark.item[mark.item.length - 1];
      const line = last.after + body.slice(body.length - trailing(body, mark.item[0].before));
      pane.append(element("mark", {class: "fix", title}, drawRepair(body, line, 0)));
    }
    at = mark.end;
  });
  pane.append(text.slice(at));
}

// How much of the marked input `body` lies past the repaired line `before` (its line end).
function trailing(body, before) {
  return body.startsWith(before) ? body.length - before.length : 0;
}

function stepWords(fix) {
  return `${capitalised(STEP_WORDS[fix.step] || "repaired")} (${fix.detail})`;
}

function similarWords(k) {
  return `Block ${k.block} stays, although it is ${Math.round(k.similarity * 100)}% like `
    + `block ${k.twin}: ${ruleWords(k)}.`;
}

function runWords(run) {
  return `Blocks ${run.start_block}–${run.end_block} removed as one: they repeat blocks `
    + `${run.twin_start_block}–${run.twin_end_block} (${count(run.blocks, "block", "blocks")} `
    + "pasted again).";
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
                                 title: `Block ${r.twin}, kept: a removed block repeats it`},
                        blockNumber(r.twin), answer.text.slice(r.twin_start, r.twin_end)));
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
  answer.runs.forEach((run) => list.append(element("li", {class: "event-run"}, runWords(run))));
  answer.removed.filter((r) => !r.in_run).forEach((r) => list.append(element("li",
    {class: "event-removed"}, `Block ${r.block} removed: ${ruleWords(r)}`
      + (r.twin === null ? "." : `; it repeats block ${r.twin}.`))));
  answer.fixes.forEach((f) => list.append(element("li", {class: "event-fix"},
    `${stepWords(f)}: `, element("span", {class: "repair"}, drawRepair(f.before, f.after, 30)))));
  answer.kept_similar.forEach((k) => list.append(element("li", {class: "event-similar"},
    similarWords(k))));
}

function render(text, answer) {
  lastDiff = answer.diff || "";
  const removed = count(answer.removed.length, "block", "blocks");
  $("counts").textContent = `${capitalised(removed)} removed`
    + (answer.runs.length ? ` (${count(answer.runs.length, "run", "runs")} of pasted blocks)` : "")
    + `, ${count(answer.fixes.length, "repair", "repairs")}, `
    + `${count(answer.kept_similar.length, "look-alike", "look-alikes")} kept. `
    + (answer.changed ? "The content changed."
      : answer.layout_changed ? "Only the layout changed (spaces, line ends)."
        : "Unchanged: the article was clean.");
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
