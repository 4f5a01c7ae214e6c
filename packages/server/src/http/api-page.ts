/**
 * The browsable API page (`GET /api`): one self-contained HTML document (no CDN, nothing fetched
 * but `openapi.json` from the same server) whose script renders the OpenAPI document: operations
 * grouped by tag with their auth, parameters, bodies and responses, and a form per operation to
 * try it against this server. Every text from the document is inserted as text, never as HTML;
 * the Content-Security-Policy allows exactly the page's own inline script and style (by hash).
 */
import { createHash } from "node:crypto";

const STYLE = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6474; --line: #d9dde5; --bg: #f6f7f9; --accent: #2a5bd7; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
header { padding: 1.5rem 2rem 1rem; border-bottom: 1px solid var(--line); background: var(--bg); }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; } h1 small { font-size: .9rem; color: var(--muted); font-weight: normal; }
h2 { margin: 2rem 0 .25rem; font-size: 1.25rem; text-transform: capitalize; }
h3 { margin: 1rem 0 .25rem; font-size: .95rem; }
main { padding: 0 2rem 3rem; max-width: 72rem; }
.credentials { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; margin-top: .75rem; }
.credentials label { display: flex; gap: .5rem; align-items: center; font-size: .9rem; }
input, textarea { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; padding: .3rem .4rem; border: 1px solid var(--line); border-radius: 4px; }
.credentials input { width: 22rem; max-width: 100%; }
nav { margin-top: .75rem; font-size: .9rem; } nav a { margin-right: 1rem; color: var(--accent); }
details.op { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; }
details.op > summary { cursor: pointer; padding: .5rem .75rem; display: flex; gap: .75rem; align-items: baseline; flex-wrap: wrap; }
details.op[open] > summary { border-bottom: 1px solid var(--line); background: var(--bg); }
.op-body { padding: .25rem .75rem .75rem; }
.method { font: 600 12px/1.6 ui-monospace, monospace; padding: 0 .45rem; border-radius: 3px; color: #fff; min-width: 4.2rem; text-align: center; }
.method.get { background: #2f7d46; } .method.post { background: #2a5bd7; } .method.put { background: #a0660b; } .method.delete { background: #b3261e; }
.path { font: 14px ui-monospace, SFMono-Regular, Menlo, monospace; }
.auth-badge { font-size: 12px; color: var(--muted); border: 1px solid var(--line); border-radius: 10px; padding: 0 .5rem; }
.summary { color: var(--muted); flex-basis: 100%; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .25rem .5rem; border-bottom: 1px solid var(--line); }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: var(--bg); padding: .5rem; border-radius: 4px; overflow: auto; max-height: 24rem; white-space: pre-wrap; word-break: break-all; }
ul.schema { margin: .25rem 0; padding-left: 1.25rem; }
form.try { display: grid; gap: .4rem; margin-top: .5rem; }
form.try label { display: grid; grid-template-columns: 12rem 1fr; gap: .5rem; align-items: center; font-size: .9rem; }
form.try textarea { min-height: 6rem; width: 100%; }
button { justify-self: start; font: inherit; padding: .3rem 1rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
.result-status { font-weight: 600; } .error { color: #b3261e; }
`;

const SCRIPT = `
"use strict";
(function () {
  var api = document.getElementById("api");
  var el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  };
  var base64 = function (text) {
    var bytes = new TextEncoder().encode(text), binary = "";
    bytes.forEach(function (b) { binary += String.fromCharCode(b); });
    return btoa(binary);
  };
  var refName = function (schema) { return schema && schema.$ref ? schema.$ref.split("/").pop() : null; };
  var typeOf = function (schema) {
    if (!schema) return "";
    if (schema.$ref) return refName(schema);
    if (schema.type === "array") return "array of " + typeOf(schema.items);
    if (schema.type === "object" && schema.additionalProperties) return "map of " + typeOf(schema.additionalProperties);
    return schema.type || "";
  };
  var schemaList = function (schema, doc) {
    if (schema && schema.$ref) schema = doc.components.schemas[refName(schema)];
    var list = el("ul", { class: "schema" });
    Object.keys((schema && schema.properties) || {}).forEach(function (name) {
      var prop = schema.properties[name];
      var item = el("li", {}, [el("code", {}, [name]), ": " + typeOf(prop) + (prop.description ? " — " + prop.description : "")]);
      if (prop.type === "object" && prop.properties) item.appendChild(schemaList(prop, doc));
      list.appendChild(item);
    });
    return list;
  };
  var example = function (schema) {
    var out = {};
    Object.keys((schema && schema.properties) || {}).forEach(function (name) {
      var p = schema.properties[name];
      out[name] = p.type === "object" ? (p.properties ? example(p) : {}) : p.type === "boolean" ? false : p.type === "integer" ? 0 : p.type === "array" ? [] : "";
    });
    return out;
  };
  var schemes = function (op) {
    var names = [];
    (op.security || []).forEach(function (req) {
      var keys = Object.keys(req);
      names.push(keys.length === 0 ? "none" : keys.join(" + "));
    });
    return names.length === 0 ? ["none"] : names;
  };
  var credentials = function (op) {
    var names = schemes(op);
    if (names.indexOf("serverKey") !== -1) {
      var key = document.getElementById("server-key").value;
      return key === "" ? null : "Basic " + base64(key + ":");
    }
    var bearer = document.getElementById("bearer-token").value.trim();
    var anonymousOnly = names.length === 1 && names[0] === "none";
    return bearer === "" || anonymousOnly ? null : "Bearer " + bearer;
  };

  var tryForm = function (method, path, op) {
    var form = el("form", { class: "try" });
    var inputs = [];
    (op.parameters || []).forEach(function (p) {
      var input = el("input", { name: p.name, "data-in": p.in, placeholder: p.required ? "required" : "optional" });
      inputs.push({ param: p, input: input });
      form.appendChild(el("label", {}, [p.in + " " + p.name, input]));
    });
    var body = null;
    var media = op.requestBody && op.requestBody.content["application/json"];
    if (media) {
      body = el("textarea", { name: "body", spellcheck: "false" });
      body.value = JSON.stringify(example(media.schema), null, 2);
      form.appendChild(el("label", {}, ["JSON body", body]));
    }
    var out = el("div", { class: "result", "aria-live": "polite" });
    form.appendChild(el("button", { type: "submit" }, ["Send " + method.toUpperCase() + " " + path]));
    form.appendChild(out);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = path, query = new URLSearchParams();
      inputs.forEach(function (i) {
        var value = i.input.value;
        if (i.param.in === "path") url = url.replace("{" + i.param.name + "}", encodeURIComponent(value));
        else if (value !== "") query.set(i.param.name, value);
      });
      var qs = query.toString();
      var headers = {};
      var auth = credentials(op);
      if (auth) headers.Authorization = auth;
      var init = { method: method.toUpperCase(), headers: headers };
      if (body) { headers["Content-Type"] = "application/json"; init.body = body.value; }
      out.replaceChildren(el("p", {}, ["Sending…"]));
      fetch(url.replace(/^\\//, "") + (qs ? "?" + qs : ""), init).then(function (res) {
        return res.text().then(function (text) {
          var shown = text;
          try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON: as is */ }
          out.replaceChildren(
            el("p", {}, [el("span", { class: "result-status", "data-status": String(res.status) }, [String(res.status) + " " + res.statusText]), "  X-Request-Id: " + (res.headers.get("X-Request-Id") || "—")]),
            el("pre", { class: "result-body" }, [shown])
          );
        });
      }).catch(function (err) {
        out.replaceChildren(el("p", { class: "error" }, ["Request failed: " + err.message]));
      });
    });
    return form;
  };

  var operationView = function (method, path, op, doc) {
    var details = el("details", { class: "op", id: op.operationId, "data-method": method, "data-path": path });
    details.appendChild(el("summary", {}, [
      el("span", { class: "method " + method }, [method.toUpperCase()]),
      el("code", { class: "path" }, [path]),
      el("span", { class: "auth-badge" }, ["auth: " + schemes(op).join(" or ")]),
      el("span", { class: "summary" }, [op.summary || ""]),
    ]));
    var bodyView = el("div", { class: "op-body" });
    if ((op.parameters || []).length > 0) {
      var rows = op.parameters.map(function (p) {
        return el("tr", {}, [el("td", {}, [el("code", {}, [p.name])]), el("td", {}, [p.in]), el("td", {}, [p.required ? "yes" : "no"]), el("td", {}, [typeOf(p.schema)]), el("td", {}, [p.description || ""])]);
      });
      bodyView.appendChild(el("h3", {}, ["Parameters"]));
      bodyView.appendChild(el("table", {}, [el("tr", {}, ["Name", "In", "Required", "Type", "Description"].map(function (h) { return el("th", {}, [h]); }))].concat(rows)));
    }
    var media = op.requestBody && op.requestBody.content["application/json"];
    if (media) {
      bodyView.appendChild(el("h3", {}, ["Request body (application/json)"]));
      bodyView.appendChild(schemaList(media.schema, doc));
    }
    bodyView.appendChild(el("h3", {}, ["Responses"]));
    var responses = el("ul", { class: "schema" });
    Object.keys(op.responses || {}).forEach(function (status) {
      var r = op.responses[status];
      var types = Object.keys(r.content || {});
      var schema = types.length ? r.content[types[0]].schema : null;
      responses.appendChild(el("li", { "data-response": status }, [el("code", {}, [status]), " " + (r.description || "") + (types.length ? " (" + types.join(", ") + (refName(schema) ? ": " + refName(schema) : "") + ")" : "")]));
    });
    bodyView.appendChild(responses);
    if (!op.responses || !op.responses["101"]) {
      bodyView.appendChild(el("h3", {}, ["Try it"]));
      bodyView.appendChild(tryForm(method, path, op));
    }
    details.appendChild(bodyView);
    return details;
  };

  fetch("openapi.json").then(function (res) {
    if (!res.ok) throw new Error("openapi.json answered " + res.status);
    return res.json();
  }).then(function (doc) {
    document.getElementById("version").textContent = doc.info.version;
    document.getElementById("description").textContent = doc.info.description || "";
    var byTag = {}, order = (doc.tags || []).map(function (t) { return t.name; });
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        var tag = (op.tags && op.tags[0]) || "other";
        if (order.indexOf(tag) === -1) order.push(tag);
        (byTag[tag] = byTag[tag] || []).push(operationView(method, path, op, doc));
      });
    });
    var nav = document.getElementById("toc");
    api.replaceChildren();
    order.forEach(function (tag) {
      if (!byTag[tag]) return;
      var info = (doc.tags || []).filter(function (t) { return t.name === tag; })[0];
      var section = el("section", { id: "tag-" + tag, "data-tag": tag }, [el("h2", {}, [tag])]);
      if (info && info.description) section.appendChild(el("p", {}, [info.description]));
      byTag[tag].forEach(function (op) { section.appendChild(op); });
      api.appendChild(section);
      nav.appendChild(el("a", { href: "#tag-" + tag }, [tag + " (" + byTag[tag].length + ")"]));
    });
    document.body.setAttribute("data-ready", "true");
  }).catch(function (err) {
    api.replaceChildren(el("p", { class: "error" }, ["Could not load the API description: " + err.message]));
    document.body.setAttribute("data-ready", "error");
  });
})();
`;

const sha256 = (text: string): string => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** The page's Content-Security-Policy: its own script and style only, requests to this origin only. */
export const API_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const API_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Tessera API</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Tessera API <small>version <span id="version">…</span>, from <a href="openapi.json">openapi.json</a></small></h1>
<p id="description"></p>
<div class="credentials">
<label>Server key <input id="server-key" autocomplete="off" spellcheck="false" placeholder="for sign-in and refresh (Basic)"></label>
<label>Bearer token <input id="bearer-token" autocomplete="off" spellcheck="false" placeholder="access token, game server token or metrics token"></label>
</div>
<nav id="toc" aria-label="Tags"></nav>
</header>
<main id="api"><p>Loading the API description…</p></main>
<script>${SCRIPT}</script>
</body>
</html>
`;
