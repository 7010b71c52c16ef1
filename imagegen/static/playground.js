// The imagegen playground. It knows nothing of particular generators: it reads them from
// GET /generators and their parameters from the OpenAPI spec, builds a form per image
// route, previews the image as the form changes, and shows each generator's examples.
// Text from the API or the user only ever goes into the page through textContent and
// attributes, never as HTML.
"use strict";

const FORMAT_PARAM = "format"; // the core's output-format parameter, on every image route
const PREVIEW_DELAY_MS = 250;

const state = { generators: [], spec: null, current: null, timer: 0 };

/** An element with attributes (skipping null, undefined and false) and children. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  node.append(...children); // strings become text nodes
  return node;
}

/**
 * The spec's descriptions are Markdown: a safe subset of it as DOM nodes. Code spans
 * (`x`) become <code>, **bold** <strong> and *emphasis* <em>; everything else stays
 * text. Nothing is parsed as HTML, so a description cannot inject markup.
 */
function markdown(text) {
  const nodes = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    nodes.push(text.slice(last, match.index));
    const [, code, strong, em] = match;
    if (code !== undefined) nodes.push(el("code", {}, code));
    else if (strong !== undefined) nodes.push(el("strong", {}, strong));
    else nodes.push(el("em", {}, em));
    last = match.index + match[0].length;
  }
  nodes.push(text.slice(last));
  return nodes.filter((node) => node !== "");
}

async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

/** A parameter's schema; of several forms (`anyOf`), the first a URL can hold. */
function plainSchema(schema = {}) {
  if (!Array.isArray(schema.anyOf)) return schema;
  const form = schema.anyOf.find((s) => s.type !== "array" && s.type !== "object");
  return { ...schema, ...(form || schema.anyOf[0]) };
}

/** The query and path parameters of a generator's GET route, from the spec. */
function routeParameters(info) {
  const operation = state.spec.paths[info.path]?.get;
  if (!operation) throw new Error(`The spec has no GET ${info.path}`);
  return operation.parameters.map((p) => ({ ...p, schema: plainSchema(p.schema) }));
}

/** A form control for one parameter: enum -> select, boolean -> checkbox, integer and
 * number -> number input with the spec's limits, anything else -> text input. */
function control(param) {
  const schema = param.schema;
  const common = { id: `param-${param.name}`, name: param.name };
  if (Array.isArray(schema.enum)) {
    const select = el("select", common);
    if (!param.required) {
      const label = schema.default !== undefined ? `default (${schema.default})` : "default";
      select.append(el("option", { value: "" }, label));
    }
    for (const value of schema.enum) select.append(el("option", { value }, String(value)));
    return select;
  }
  if (schema.type === "boolean") return el("input", { ...common, type: "checkbox" });
  const placeholder = schema.default ?? (param.required ? "required" : "");
  if (schema.type === "integer" || schema.type === "number") {
    return el("input", {
      ...common,
      type: "number",
      min: schema.minimum,
      max: schema.maximum,
      step: schema.type === "integer" ? 1 : "any",
      placeholder,
    });
  }
  return el("input", { ...common, type: "text", maxlength: schema.maxLength, placeholder });
}

function field(param) {
  const input = control(param);
  return el(
    "div",
    { class: "field" },
    el("label", { for: input.id }, param.name),
    input,
    el("small", {}, ...markdown(param.description || "")),
  );
}

/** Fill the form from `example` (query parameters, path parameters included). */
function fillForm(form, params, example) {
  for (const param of params) {
    const input = form.elements.namedItem(param.name);
    const value = example[param.name];
    if (input.type === "checkbox") {
      input.checked = value !== undefined ? value === "true" : param.schema.default === true;
    } else {
      input.value = value ?? "";
    }
  }
}

/** The parameters the form sets, as strings; those left at their default are left out. */
function formValues(form, params) {
  const values = {};
  for (const param of params) {
    const input = form.elements.namedItem(param.name);
    const fallback = param.schema.default;
    if (input.type === "checkbox") {
      if (input.checked !== (fallback === true)) values[param.name] = String(input.checked);
    } else if (input.value !== "" && input.value !== String(fallback ?? "")) {
      values[param.name] = input.value;
    }
  }
  return values;
}

/** A query-string value, percent-encoded but for commas, so lists read `1,2,3`. */
function queryValue(value) {
  return encodeURIComponent(value).replace(/%2C/gi, ",");
}

/** The absolute URL of `GET route` with `values`: path parameters fill the template,
 * `format` becomes the extension, the rest the query string. */
function imageUrl(route, values) {
  let path = route;
  let extension = "";
  const query = [];
  for (const [name, value] of Object.entries(values)) {
    const slot = `{${name}}`;
    if (path.includes(slot)) path = path.split(slot).join(encodeURIComponent(value));
    else if (name === FORMAT_PARAM) extension = `.${encodeURIComponent(value)}`;
    else query.push(`${encodeURIComponent(name)}=${queryValue(value)}`);
  }
  const search = query.length ? `?${query.join("&")}` : "";
  return new URL(`.${path}${extension}${search}`, document.baseURI).href;
}

function escapeHtml(text) {
  const entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  return text.replace(/[&<>"']/g, (c) => entities[c]);
}

function shellQuote(text) {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function showSnippets(url, name, extension) {
  document.getElementById("url").textContent = url;
  document.getElementById("open-url").href = url;
  document.getElementById("img-snippet").textContent = `<img src="${escapeHtml(url)}" alt="">`;
  document.getElementById("curl-snippet").textContent =
    `curl -o ${shellQuote(`${name}.${extension}`)} ${shellQuote(url)}`;
}

/** Show the preview's state (`loading`, `loaded`, `error`, `incomplete`) and a message. */
function setPreviewState(name, message) {
  document.getElementById("preview-figure").dataset.state = name;
  document.getElementById("preview-status").textContent = message;
}

function updatePreview() {
  const { info, params, form } = state.current;
  const preview = document.getElementById("preview");
  const values = formValues(form, params);
  const missing = params.filter((p) => p.required && !(p.name in values)).map((p) => p.name);
  if (missing.length) {
    setPreviewState("incomplete", `Fill in ${missing.join(", ")}.`);
    return;
  }
  const url = imageUrl(info.path, values);
  const formats = params.find((p) => p.name === FORMAT_PARAM)?.schema.enum || ["png"];
  showSnippets(url, info.name, values[FORMAT_PARAM] || formats[0]);
  if (preview.src === url) return;
  setPreviewState("loading", "Loading…");
  preview.src = url;
}

function schedulePreview() {
  clearTimeout(state.timer);
  state.timer = setTimeout(updatePreview, PREVIEW_DELAY_MS);
}

function onPreviewLoad() {
  const preview = document.getElementById("preview");
  setPreviewState("loaded", `${preview.naturalWidth} × ${preview.naturalHeight} pixels`);
}

/** A failed image: show the API's JSON error message, which says what to fix. */
async function onPreviewError() {
  const url = document.getElementById("preview").src;
  let message = "The image did not load.";
  try {
    const body = await (await fetch(url, { headers: { Accept: "image/*" } })).json();
    if (body && body.message) message = body.message;
  } catch {
    // not JSON: keep the generic message
  }
  if (document.getElementById("preview").src === url) setPreviewState("error", message);
}

function selectGenerator(name, example) {
  const info = state.generators.find((g) => g.name === name);
  const params = routeParameters(info);
  const form = document.getElementById("params");
  form.replaceChildren(...params.map(field));
  fillForm(form, params, example || info.examples[0] || {});
  document.getElementById("generator").value = name;
  document
    .getElementById("generator-description")
    .replaceChildren(...markdown(state.spec.paths[info.path].get.description || info.summary));
  state.current = { info, params, form };
  updatePreview();
}

function showGallery() {
  const container = document.getElementById("gallery-items");
  for (const info of state.generators) {
    const items = info.examples.map((example, index) => {
      const url = imageUrl(info.path, example);
      const link = el(
        "a",
        { href: url, class: "example", title: "Open in the builder" },
        el("img", { src: url, alt: `${info.name} example ${index + 1}`, loading: "lazy" }),
        el("code", {}, new URL(url).pathname + new URL(url).search),
      );
      link.addEventListener("click", (event) => {
        event.preventDefault();
        selectGenerator(info.name, example);
        document.getElementById("builder").scrollIntoView({ behavior: "smooth" });
      });
      return el("li", {}, link);
    });
    const list = items.length ? el("ul", {}, ...items) : el("p", {}, "No examples.");
    container.append(el("h3", {}, `${info.name}: ${info.summary}`), list);
  }
}

async function main() {
  try {
    [state.generators, state.spec] = await Promise.all([
      getJSON("generators"),
      getJSON("openapi.json"),
    ]);
  } catch (error) {
    const banner = document.getElementById("load-error");
    banner.textContent = `Could not read the API: ${error.message}`;
    banner.hidden = false;
    return;
  }
  const select = document.getElementById("generator");
  for (const info of state.generators) {
    select.append(el("option", { value: info.name }, `${info.name} — ${info.summary}`));
  }
  select.addEventListener("change", () => selectGenerator(select.value));
  const form = document.getElementById("params");
  form.addEventListener("input", schedulePreview);
  form.addEventListener("change", schedulePreview);
  form.addEventListener("submit", (event) => event.preventDefault());
  const preview = document.getElementById("preview");
  preview.addEventListener("load", onPreviewLoad);
  preview.addEventListener("error", onPreviewError);
  if (state.generators.length) selectGenerator(state.generators[0].name);
  showGallery();
}

main();
