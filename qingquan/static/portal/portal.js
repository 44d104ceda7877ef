/* 清权确权 reference portal: plain JavaScript on the public GraphQL API (/graphql, no token).
 *
 * Everything put on the page is built with DOM calls and textContent: never HTML parsing of strings. Search
 * snippets arrive HTML-escaped with <em> marks; `highlighted()` turns exactly those marks into <em>
 * elements and every other character into text. The flow chart's SVG is parsed as XML and copied
 * through an allow-list of elements and attributes (`safeSvg()`).
 */
(function () {
  "use strict";

  var ENDPOINT = "/graphql";
  var PAGE = 20;

  // ---- labels -------------------------------------------------------------------------------
  var CATEGORY = {
    LICENSING: "行政许可", PENALTY: "行政处罚", COERCION: "行政强制", LEVY: "行政征收", BENEFIT: "行政给付",
    INSPECTION: "行政检查", CONFIRMATION: "行政确认", REWARD: "行政奖励", ADJUDICATION: "行政裁决", OTHER: "其他行政权力"
  };
  var MODE = { EXCLUSIVE: "专门职权", SHARED: "共有职权", LEAD: "为主行使", ASSIST: "协助配合" };
  var SCOPE = { PUBLIC: "向社会公开", LIMITED: "一定范围或依申请公开", INTERNAL: "内部公开", LEADERSHIP: "领导班子内公开" };
  var TIMING = { LONG_TERM: "长期公开", TIMELY: "及时公开" };
  var LEVEL = {
    CONSTITUTION: "宪法", LAW: "法律", LEGISLATIVE_INTERPRETATION: "立法解释", ADMINISTRATIVE_REGULATION: "行政法规",
    LOCAL_REGULATION: "地方性法规", DEPARTMENTAL_RULE: "部门规章", LOCAL_RULE: "地方政府规章",
    NORMATIVE_DOCUMENT: "规范性文件", POLICY: "政策文件", OTHER: "其他"
  };
  var STATUS = { IN_FORCE: "现行有效", AMENDED: "已被修改", REPEALED: "已废止", HISTORICAL: "历史版本", NOT_YET_EFFECTIVE: "尚未生效" };
  var UNIT_KIND = {
    COUNTY_GOVERNMENT: "县人民政府", TOWNSHIP: "乡镇人民政府", DEPARTMENT: "政府部门", INSTITUTION: "直属事业单位",
    VERTICAL: "垂直管理部门", PUBLIC_UTILITY: "公用事业单位", OFFICE: "科室"
  };
  var COMPLAINT = { RECEIVED: "已收到，待受理", ACCEPTED: "已受理", REJECTED: "不予受理", HANDLED: "已处理，待答复", ANSWERED: "已答复" };
  var STEP_KIND = { START: "开始", STEP: "环节", DECISION: "判断", END: "结束" };

  // ---- the DOM, safely ------------------------------------------------------------------------
  /** h("a", {href: "#/"}, "text", child…): an element; strings become text nodes, never markup. */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "onclick" || key === "onsubmit" || key === "onchange") {
          el.addEventListener(key.slice(2), value);
        } else if (key === "class") {
          el.className = value;
        } else {
          el.setAttribute(key, value === true ? "" : String(value));
        }
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  /** append(el, child…): children as in h(); arrays are flattened, null/false left out. */
  function append(el) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) { append.apply(null, [el].concat(child)); continue; }
      el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
  }
  /** What the API refused in a form, one line per field in its own words (the field's API name kept in
   *  data-field for whoever styles or tests the page, not shown to the person filling it in). */
  function invalid(r) {
    return h("div", { class: "error", role: "alert" }, "请修改后再提交：",
      h("ul", null, r.errors.map(function (e) { return h("li", { "data-field": e.field }, e.message); })));
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function main() { return document.getElementById("main"); }
  function show() {
    var m = clear(main());
    append(m, Array.prototype.slice.call(arguments));
    return m;
  }
  function setTitle(text) { document.title = text + " · 行政权力公开"; }

  var ENTITIES = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0" };
  /** HTML-escaped text to plain text (the API escapes snippets; only &…; references occur). */
  function unescapeHtml(text) {
    return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, function (all, ref) {
      if (ref.charAt(0) === "#") {
        var code = ref.charAt(1) === "x" || ref.charAt(1) === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : all;
      }
      return Object.prototype.hasOwnProperty.call(ENTITIES, ref) ? ENTITIES[ref] : all;
    });
  }
  /** An escaped snippet with <em>…</em> marks as nodes: the marks become <em>, everything else text. */
  function highlighted(snippet) {
    var out = document.createDocumentFragment();
    var parts = String(snippet || "").split(/(<em>|<\/em>)/);
    var target = out;
    parts.forEach(function (part) {
      if (part === "<em>") { target = out.appendChild(document.createElement("em")); return; }
      if (part === "</em>") { target = out; return; }
      if (part) target.appendChild(document.createTextNode(unescapeHtml(part)));
    });
    return out;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  var SVG_ELEMENTS = ["svg", "g", "title", "desc", "defs", "marker", "path", "rect", "polygon", "polyline",
    "line", "circle", "ellipse", "text", "tspan"];
  var SVG_ATTRIBUTES = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height", "viewBox",
    "d", "points", "fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-linejoin", "stroke-linecap",
    "font-size", "font-weight", "font-family", "text-anchor", "dominant-baseline", "transform", "id", "class",
    "refX", "refY", "markerWidth", "markerHeight", "orient", "marker-end", "marker-start", "role", "opacity",
    "data-step-id", "preserveAspectRatio"];
  /** The chart's SVG text as a new <svg> element holding only allowed elements and attributes. */
  function safeSvg(text) {
    var parsed = new DOMParser().parseFromString(text, "image/svg+xml");
    var root = parsed.documentElement;
    if (!root || root.namespaceURI !== SVG_NS || root.localName !== "svg") return null;
    function copy(node) {
      if (node.nodeType === 3) return document.createTextNode(node.nodeValue);
      if (node.nodeType !== 1 || node.namespaceURI !== SVG_NS || SVG_ELEMENTS.indexOf(node.localName) < 0) return null;
      var el = document.createElementNS(SVG_NS, node.localName);
      Array.prototype.forEach.call(node.attributes, function (attr) {
        if (attr.namespaceURI || SVG_ATTRIBUTES.indexOf(attr.name) < 0) return;
        var value = attr.value;
        if (/url\(/i.test(value) && !/^url\(#[A-Za-z0-9_-]+\)$/.test(value)) return; // local markers only
        el.setAttribute(attr.name, value);
      });
      Array.prototype.forEach.call(node.childNodes, function (child) {
        var c = copy(child);
        if (c) el.appendChild(c);
      });
      return el;
    }
    return copy(root);
  }

  // ---- the API --------------------------------------------------------------------------------
  var hashes = {};
  function sha256(text) {
    if (!(window.crypto && window.crypto.subtle && window.TextEncoder)) return Promise.resolve(null);
    if (hashes[text]) return Promise.resolve(hashes[text]);
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buf) {
      var hex = Array.prototype.map.call(new Uint8Array(buf), function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
      hashes[text] = hex;
      return hex;
    }, function () { return null; });
  }
  function fetchJSON(url, init) {
    init = init || {};
    init.headers = Object.assign({ Accept: "application/json" }, init.headers || {});
    init.credentials = "omit";
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { throw new Error("接口返回了无法识别的内容（HTTP " + response.status + "）"); });
    });
  }
  function unwrap(body) {
    if (body.errors && body.errors.length && !body.data) throw new Error(body.errors[0].message);
    if (body.errors && body.errors.length) console.warn("GraphQL:", body.errors[0].message);
    return body.data;
  }
  function notPersisted(body) {
    return !!(body.errors && body.errors.some(function (e) { return e.message === "PersistedQueryNotFound"; }));
  }
  /** A query by GET: first by its hash alone (Apollo persisted queries), then with its text if unknown. */
  function query(document, variables) {
    var params = new URLSearchParams();
    if (variables) params.set("variables", JSON.stringify(variables));
    return sha256(document).then(function (hash) {
      if (!hash) {
        params.set("query", document);
        return fetchJSON(ENDPOINT + "?" + params.toString()).then(unwrap);
      }
      params.set("extensions", JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }));
      return fetchJSON(ENDPOINT + "?" + params.toString()).then(function (body) {
        if (!notPersisted(body)) return unwrap(body);
        params.set("query", document);
        return fetchJSON(ENDPOINT + "?" + params.toString()).then(unwrap);
      });
    });
  }
  /** A mutation, or a query carrying a secret (the 查询码) that must stay out of URLs and logs: POST. */
  function post(document, variables) {
    return fetchJSON(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query: document, variables: variables || {} })
    }).then(unwrap);
  }

  var Q = {
    county: "query PortalCounty { units(filter: { rootsOnly: true }, first: 5) { edges { node { name } } } }",
    units: "query PortalUnits($after: String) { units(first: 100, after: $after) { pageInfo { hasNextPage endCursor } " +
      "edges { node { id code name kind parent { code } } } } }",
    categoryCounts: "query PortalCategoryCounts { " + Object.keys(CATEGORY).map(function (c) {
      return c + ": powers(filter: { category: " + c + " }, first: 1) { totalCount }";
    }).join(" ") + " }",
    unit: "query PortalUnit($code: String!, $filter: PowerFilter, $after: String) { unit(code: $code) { id code name kind " +
      "parent { code name } children { code name kind } powers(first: " + PAGE + ", after: $after, filter: $filter) { totalCount " +
      "pageInfo { hasNextPage endCursor } edges { node { code name category exerciseMode unit { code name } } } } } }",
    powers: "query PortalPowers($filter: PowerFilter, $after: String) { powers(first: " + PAGE + ", after: $after, filter: $filter) { " +
      "totalCount pageInfo { hasNextPage endCursor } edges { node { code name category exerciseMode unit { code name } } } } }",
    power: "query PortalPower($code: String!) { power(code: $code) { id code name category exerciseMode description acceptsApplications " +
      "unit { id code name } rules { disclosureScope disclosureForm disclosureTiming disclosureDeadline feeBasis feeStandard timeLimit } " +
      "bases { ordinal note article { id label document { title level status docNumber } } } " +
      "flowChart { title complaintChannel notes svg steps { id name kind condition timeLimit supervision position { name } } " +
      "edges { label sourceStepId targetStepId } } versions { number publishedOn supersededOn name category exerciseMode description " +
      "rules { disclosureScope disclosureForm disclosureTiming disclosureDeadline feeBasis feeStandard timeLimit } " +
      "bases { documentTitle articleLabel } flowChart { steps { name condition position timeLimit supervision } " +
      "edges { source target label } } } } }",
    article: "query PortalArticle($id: ID!) { node(id: $id) { ... on LegalArticle { id label chapterPath text document { title } } } }",
    search: "query PortalSearch($q: String!, $filter: LegalSearchFilter, $after: String) { searchLegalBasis(query: $q, filter: $filter, " +
      "first: 10, after: $after) { totalCount matchedAllWords pageInfo { hasNextPage endCursor } edges { node { matchedWords snippet " +
      "titleHighlight article { id label chapterPath } document { title level status } } } facets { levels { level count } " +
      "statuses { status count } } understanding { citations { citation law label found } laws terms { word alternatives literal } " +
      "dropped question } } }",
    searchPowers: "query PortalSearchPowers($q: String!) { searchPowers(query: $q, first: 5) { totalCount edges { node { " +
      "nameHighlight power { code name category unit { code name } } } } } }",
    complaintTarget: "query PortalComplaintTarget($code: String!) { power(code: $code) { id code name unit { id code name } } }",
    fileComplaint: "mutation PortalFileComplaint($input: FileComplaintInput!) { fileComplaint(input: $input) { __typename " +
      "... on ComplaintReceipt { id: complaintId receivedOn acceptDueOn dueProvisional receiptCode } " +
      "... on ValidationErrors { message errors { field message code } } ... on RateLimitedError { message retryAfterSeconds } } }",
    follow: "query PortalFollowComplaint($id: ID!, $code: String!) { complaintByReceipt(id: $id, code: $code) { status subject " +
      "receivedOn dueOn dueProvisional acceptedOn rejectionReason answeredOn answer } }"
  };

  // ---- shared pieces --------------------------------------------------------------------------
  function link(href, text, attrs) { return h("a", Object.assign({ href: href }, attrs || {}), text); }
  function enc(value) { return encodeURIComponent(value); }
  function badge(text, kind) { return h("span", { class: "badge" + (kind ? " badge-" + kind : "") }, text); }
  function failure(error) {
    return h("p", { class: "error", role: "alert" }, "出错了：" + (error && error.message ? error.message : String(error)));
  }
  function loading() { return h("p", { class: "loading" }, "正在加载…"); }
  function field(label, value) {
    if (value === null || value === undefined || value === "") return null;
    return [h("dt", null, label), h("dd", null, value)];
  }
  function crumbs(items) {
    return h("nav", { class: "crumbs", "aria-label": "当前位置" }, h("ol", null, items.map(function (item) {
      return h("li", null, item[1] ? link(item[1], item[0]) : h("span", { "aria-current": "page" }, item[0]));
    })));
  }

  /** An API date (2026-12-07, or the date of a date-time) as residents write it: 2026年12月7日. */
  function day(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value || "");
    return m ? Number(m[1]) + "年" + Number(m[2]) + "月" + Number(m[3]) + "日" : value || "";
  }
  /** A period of days: 2026年12月7日至2026年12月18日. */
  function during(from, to) { return day(from) + "至" + day(to); }
  /** The API date before `value` (a version is in force until the day before the next one's). */
  function dayBefore(value) {
    var d = new Date(value.slice(0, 10) + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() - 1);
    return d.toISOString().slice(0, 10);
  }
  function narrowScreen() { return !!(window.matchMedia && window.matchMedia("(max-width: 600px)").matches); }

  /** A flow chart in words: its steps in order, numbered, each with what it takes (`details`, dt/dd pairs) and
   *  where it leads. A step with branches (a DECISION) lists each with its condition ("成立 → 第7步：…"), so
   *  the chart reads on any screen and to a screen reader. Steps: {key, name, kind, details, current, visited};
   *  edges: {source, target, label} naming steps by key. */
  function stepList(steps, edges, extraClass) {
    var number = {};
    steps.forEach(function (s, i) { number[s.key] = i + 1; });
    return h("ol", { class: "steps" + (extraClass ? " " + extraClass : "") }, steps.map(function (s) {
      var out = edges.filter(function (e) { return e.source === s.key && number[e.target]; });
      var branches = out.length > 1 || s.kind === "DECISION";
      var details = (s.details || []).filter(Boolean);
      return h("li", { class: [s.current ? "current" : "", s.visited ? "visited" : ""].join(" ").trim() || null,
        "aria-current": s.current ? "step" : null },
        h("strong", { class: "step-name" }, s.name), s.kind !== "STEP" ? [" ", badge(STEP_KIND[s.kind] || s.kind)] : null,
        s.current ? [" ", badge("当前环节", "ok")] : null,
        details.length ? h("dl", null, details) : null,
        out.length ? h("ul", { class: "next" }, out.map(function (e) {
          var to = "第" + number[e.target] + "步：" + steps[number[e.target] - 1].name;
          return h("li", null, branches ? [h("span", { class: "branch" }, e.label || "其他情形"), " → ", to]
            : ["→ ", to, e.label ? "（" + e.label + "）" : ""]);
        })) : null);
    }));
  }

  /** The chart's picture, fitted to the width of the screen so that every step is in view. Where that shrinks
   *  it (a phone), a button shows it at its drawn size, scrolling sideways, with a hint saying so. */
  function chartFigure(svg, title) {
    var drawn = Number(svg.getAttribute("width")) || 0;
    svg.setAttribute("aria-label", "流程图：" + title);
    var figure = h("figure", { class: "chart", "aria-label": "流程图：" + title }, svg);
    var hint = h("p", { class: "scroll-hint", hidden: true }, "← 流程图比屏幕宽，左右滑动查看 →");
    var zoom = h("button", { type: "button", class: "link chart-zoom", hidden: true }, "放大流程图");
    function fit() {
      var zoomed = figure.classList.contains("zoomed");
      var scrolls = figure.scrollWidth > figure.clientWidth + 1;
      zoom.hidden = !zoomed && !(drawn && svg.getBoundingClientRect().width < drawn * 0.9);
      hint.hidden = !scrolls;
      // a box that scrolls takes the focus, so that a keyboard scrolls it too (arrow keys)
      if (scrolls) figure.setAttribute("tabindex", "0"); else figure.removeAttribute("tabindex");
    }
    zoom.addEventListener("click", function () {
      var zoomed = figure.classList.toggle("zoomed");
      zoom.textContent = zoomed ? "缩小到屏幕宽度" : "放大流程图";
      fit();
      figure.scrollLeft = (figure.scrollWidth - figure.clientWidth) / 2; // the main line of steps is drawn in the middle
    });
    if (window.ResizeObserver) new ResizeObserver(fit).observe(figure);
    return h("div", { class: "chart-box" }, zoom, hint, figure);
  }

  function powerList(connection, onMore, showUnit) {
    var list = h("ul", { class: "powers" });
    function add(conn) {
      conn.edges.forEach(function (edge) {
        var p = edge.node;
        list.appendChild(h("li", null,
          link("#/power/" + enc(p.code), p.name, { class: "power-name" }),
          h("div", { class: "meta" }, badge(CATEGORY[p.category] || p.category, "cat"), " ", h("code", null, p.code),
            showUnit ? [" ", h("span", { class: "unit" }, p.unit.name)] : null, " ", h("span", null, MODE[p.exerciseMode] || ""))));
      });
    }
    add(connection);
    var box = h("div", null, list);
    var cursor = connection.pageInfo;
    if (cursor.hasNextPage) {
      var more = h("button", { type: "button", class: "more" }, "加载更多");
      more.addEventListener("click", function () {
        more.disabled = true;
        onMore(cursor.endCursor).then(function (conn) {
          add(conn);
          cursor = conn.pageInfo;
          if (cursor.hasNextPage) more.disabled = false; else more.remove();
        }, function (error) { box.appendChild(failure(error)); });
      });
      box.appendChild(more);
    }
    if (!connection.edges.length) box.appendChild(h("p", { class: "empty" }, "没有公开的职权。"));
    return box;
  }

  function categoryChips(current, hrefFor) {
    return h("nav", { class: "chips", "aria-label": "按类别筛选" },
      link(hrefFor(""), "全部", current ? null : { "aria-current": "true" }),
      Object.keys(CATEGORY).map(function (c) {
        return link(hrefFor(c), CATEGORY[c], c === current ? { "aria-current": "true" } : null);
      }));
  }

  var allUnits = null;
  function loadUnits() {
    if (allUnits) return Promise.resolve(allUnits);
    var units = [];
    function page(after) {
      return query(Q.units, { after: after }).then(function (data) {
        data.units.edges.forEach(function (e) { units.push(e.node); });
        if (data.units.pageInfo.hasNextPage) return page(data.units.pageInfo.endCursor);
        allUnits = units;
        return units;
      });
    }
    return page(null);
  }

  // ---- pages ----------------------------------------------------------------------------------
  function homePage() {
    setTitle("按单位浏览");
    show(h("h1", null, "按单位浏览职权"), searchBox(""), loading());
    loadUnits().then(function (units) {
      var byKind = {};
      units.forEach(function (u) {
        if (u.kind === "OFFICE") return; // 科室: on their unit's page
        (byKind[u.kind] = byKind[u.kind] || []).push(u);
      });
      var sections = Object.keys(UNIT_KIND).filter(function (k) { return byKind[k]; }).map(function (kind) {
        return h("section", { class: "units" }, h("h2", null, UNIT_KIND[kind] + "（" + byKind[kind].length + "）"),
          h("ul", null, byKind[kind].map(function (u) { return h("li", null, link("#/unit/" + enc(u.code), u.name)); })));
      });
      show(h("h1", null, "按单位浏览职权"), searchBox(""),
        h("p", { class: "lead" }, "选择一个单位，查看它向社会公开的行政权力、行使规则、流程图和法律依据。也可以",
          link("#/categories", "按职权类别浏览"), "。"),
        sections.length ? sections : h("p", { class: "empty" }, "还没有单位。"));
    }, function (error) { show(h("h1", null, "按单位浏览职权"), failure(error)); });
  }

  function searchBox(value) {
    var input = h("input", { type: "search", id: "quick-q", name: "q", value: value, placeholder: "例如：临时用地怎么申请",
      autocomplete: "off" });
    return h("form", { class: "quick", role: "search", onsubmit: function (event) {
      event.preventDefault();
      location.hash = "#/search?q=" + enc(input.value.trim());
    } }, h("label", { for: "quick-q" }, "查办事单位和法律依据"), input, h("button", { type: "submit" }, "检索"));
  }

  function categoriesPage() {
    setTitle("按类别浏览");
    show(h("h1", null, "按职权类别浏览"), loading());
    query(Q.categoryCounts).then(function (data) {
      show(crumbs([["首页", "#/"], ["职权类别"]]), h("h1", null, "按职权类别浏览"),
        h("ul", { class: "categories" }, Object.keys(CATEGORY).map(function (c) {
          return h("li", null, link("#/category/" + c, CATEGORY[c]), " ", h("span", { class: "count" }, data[c].totalCount + " 项"));
        })));
    }, function (error) { show(h("h1", null, "按职权类别浏览"), failure(error)); });
  }

  function categoryPage(category) {
    if (!CATEGORY[category]) return notFound();
    setTitle(CATEGORY[category]);
    show(h("h1", null, CATEGORY[category]), loading());
    var filter = { category: category };
    function fetchPage(after) { return query(Q.powers, { filter: filter, after: after }).then(function (d) { return d.powers; }); }
    fetchPage(null).then(function (conn) {
      show(crumbs([["首页", "#/"], ["职权类别", "#/categories"], [CATEGORY[category]]]),
        h("h1", null, CATEGORY[category]), categoryChips(category, function (c) { return c ? "#/category/" + c : "#/categories"; }),
        h("p", { class: "count" }, "共 " + conn.totalCount + " 项"), powerList(conn, fetchPage, true));
    }, function (error) { show(h("h1", null, CATEGORY[category]), failure(error)); });
  }

  function unitPage(code, params) {
    var category = params.get("category") || "";
    if (category && !CATEGORY[category]) category = "";
    show(loading());
    var filter = category ? { category: category } : null;
    function fetchPage(after) {
      return query(Q.unit, { code: code, filter: filter, after: after }).then(function (d) { return d.unit && d.unit.powers; });
    }
    query(Q.unit, { code: code, filter: filter, after: null }).then(function (data) {
      var unit = data.unit;
      if (!unit) return notFound("没有这个单位。");
      setTitle(unit.name);
      var trail = [["首页", "#/"]];
      if (unit.parent) trail.push([unit.parent.name, "#/unit/" + enc(unit.parent.code)]);
      trail.push([unit.name]);
      show(crumbs(trail), h("h1", null, unit.name),
        h("p", { class: "meta" }, badge(UNIT_KIND[unit.kind] || unit.kind), " 单位编码 ", h("code", null, unit.code), " ",
          link("#/complaint?unit=" + enc(unit.code), "投诉本单位")),
        unit.children.length ? h("section", { class: "children" }, h("h2", null, "下级单位与科室"),
          h("ul", null, unit.children.map(function (c) { return h("li", null, link("#/unit/" + enc(c.code), c.name)); }))) : null,
        h("h2", null, "公开的职权（" + unit.powers.totalCount + " 项）"),
        categoryChips(category, function (c) { return "#/unit/" + enc(code) + (c ? "?category=" + c : ""); }),
        powerList(unit.powers, fetchPage, unit.children.length > 0));
    }, function (error) { show(failure(error)); });
  }

  function articleToggle(articleId) {
    var box = h("div", { class: "article-text", hidden: true });
    var button = h("button", { type: "button", class: "link", "aria-expanded": "false" }, "查看条文");
    var loaded = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      if (open) { box.hidden = true; button.setAttribute("aria-expanded", "false"); button.textContent = "查看条文"; return; }
      box.hidden = false;
      button.setAttribute("aria-expanded", "true");
      button.textContent = "收起条文";
      if (loaded) return;
      loaded = true;
      append(box, loading());
      query(Q.article, { id: articleId }).then(function (data) {
        var a = data.node;
        clear(box);
        if (!a) { append(box, h("p", { class: "empty" }, "条文未公开或不存在。")); return; }
        append(box, a.chapterPath ? h("p", { class: "chapter" }, a.chapterPath) : null,
          a.text.split("\n").map(function (line) { return h("p", null, line); }));
      }, function (error) { clear(box); loaded = false; append(box, failure(error)); });
    });
    return [button, box];
  }

  function powerPage(code) {
    show(loading());
    query(Q.power, { code: code }).then(function (data) {
      var p = data.power;
      if (!p) return notFound("没有这项公开的职权。");
      setTitle(p.name);
      var r = p.rules;
      var chart = p.flowChart;
      var svg = chart ? safeSvg(chart.svg) : null;
      show(crumbs([["首页", "#/"], [p.unit.name, "#/unit/" + enc(p.unit.code)], [p.name]]),
        h("h1", null, p.name),
        h("p", { class: "meta" }, badge(CATEGORY[p.category] || p.category, "cat"), " ", h("code", null, p.code), " ",
          MODE[p.exerciseMode] || "", " · 实施主体 ", link("#/unit/" + enc(p.unit.code), p.unit.name)),
        p.description ? h("p", null, p.description) : null,
        h("section", { id: "rules" }, h("h2", null, "行使规则"), h("dl", { class: "rules" },
          field("公开范围", SCOPE[r.disclosureScope]), field("公开形式", r.disclosureForm),
          field("公开时限", (TIMING[r.disclosureTiming] || "") + (r.disclosureDeadline ? "：" + r.disclosureDeadline : "")),
          field("办理时限", r.timeLimit), field("收费依据", r.feeBasis), field("收费标准", r.feeStandard)))
        ,
        h("section", { id: "bases" }, h("h2", null, "职权依据"), p.bases.length ? h("ol", { class: "bases" }, p.bases.map(function (b) {
          var doc = b.article.document;
          return h("li", null, h("span", { class: "citation" }, "《" + doc.title + "》" + b.article.label), " ",
            badge(LEVEL[doc.level] || doc.level), " ", badge(STATUS[doc.status] || doc.status, doc.status === "IN_FORCE" ? "ok" : "warn"),
            b.note ? h("p", { class: "note" }, b.note) : null, articleToggle(b.article.id));
        })) : h("p", { class: "empty" }, "无公开的依据。")),
        h("section", { id: "chart" }, h("h2", null, "办理流程"), chart ? chartSection(chart, svg) : h("p", { class: "empty" }, "尚无流程图。")),
        h("p", { class: "actions" }, p.acceptsApplications ? [link("#/apply?power=" + enc(p.code), "在线申请", { class: "button" }), " "] : null,
          link("#/complaint?power=" + enc(p.code), "对这项职权的行使进行投诉", { class: "button" }), " ",
          link("#/request?power=" + enc(p.code), "申请公开与这项职权有关的信息", { class: "button" })),
        historySection(p.versions));
    }, function (error) { show(failure(error)); });
  }

  /** A power's chart: its picture, and its steps in words (open on a phone, where the picture is small). */
  function chartSection(chart, svg) {
    var steps = chart.steps.map(function (s) {
      return { key: s.id, name: s.name, kind: s.kind, details: [field("条件", s.condition),
        field("承办岗位", s.position && s.position.name), field("办理时限", s.timeLimit), field("监督制约", s.supervision)] };
    });
    var edges = chart.edges.map(function (e) { return { source: e.sourceStepId, target: e.targetStepId, label: e.label }; });
    var words = h("details", { class: "chart-steps", open: narrowScreen() }, h("summary", null, "办理步骤（文字版）"), stepList(steps, edges));
    return [svg ? chartFigure(svg, chart.title) : h("p", { class: "empty" }, "流程图无法显示。"), words,
      chart.complaintChannel ? h("p", null, "投诉举报途径：" + chart.complaintChannel) : null,
      chart.notes ? h("p", null, "说明：" + chart.notes) : null];
  }

  var RULES = [["disclosureScope", "公开范围", SCOPE], ["disclosureForm", "公开形式"], ["disclosureTiming", "公开时限", TIMING],
    ["disclosureDeadline", "公开期限"], ["timeLimit", "办理时限"], ["feeBasis", "收费依据"], ["feeStandard", "收费标准"]];
  /** What a resident would see change from one published version to the next, one line a change. */
  function versionChanges(before, after) {
    var out = [];
    function compare(label, was, now) {
      was = was || "";
      now = now || "";
      if (was === now) return;
      out.push(label + (!was ? "：增加“" + now + "”" : !now ? "：删去“" + was + "”" : "：由“" + was + "”改为“" + now + "”"));
    }
    compare("职权名称", before.name, after.name);
    compare("职权类别", CATEGORY[before.category], CATEGORY[after.category]);
    compare("行使方式", MODE[before.exerciseMode], MODE[after.exerciseMode]);
    if ((before.description || "") !== (after.description || "")) out.push("职权说明有修改");
    RULES.forEach(function (r) {
      var label = r[2] || {};
      compare(r[1], label[before.rules[r[0]]] || before.rules[r[0]], label[after.rules[r[0]]] || after.rules[r[0]]);
    });
    function cited(v) { return v.bases.map(function (b) { return "《" + b.documentTitle + "》" + b.articleLabel; }); }
    var was = cited(before), now = cited(after);
    now.forEach(function (c) { if (was.indexOf(c) < 0) out.push("增加依据：" + c); });
    was.forEach(function (c) { if (now.indexOf(c) < 0) out.push("删去依据：" + c); });
    function names(v) { return v.flowChart ? v.flowChart.steps.map(function (s) { return s.name; }) : []; }
    var stepsWere = names(before), stepsNow = names(after);
    var added = stepsNow.filter(function (n) { return stepsWere.indexOf(n) < 0; });
    var dropped = stepsWere.filter(function (n) { return stepsNow.indexOf(n) < 0; });
    if (added.length) out.push("流程增加环节：" + added.join("、"));
    if (dropped.length) out.push("流程删去环节：" + dropped.join("、"));
    if (!added.length && !dropped.length && JSON.stringify(before.flowChart) !== JSON.stringify(after.flowChart)) {
      out.push(before.flowChart && after.flowChart ? "流程的办理要求有调整" : after.flowChart ? "增加流程图" : "删去流程图");
    }
    return out;
  }

  /** 版本记录: every published version, newest first, when each was in force and what changed from the last. */
  function historySection(versions) {
    var items = versions.map(function (v, i) {
      var previous = i ? versions[i - 1] : null;
      var until = v.supersededOn ? dayBefore(v.supersededOn) : null;
      var when = !v.supersededOn ? day(v.publishedOn) + "起施行"
        : until < v.publishedOn ? day(v.publishedOn) + "公布，当日被新版本替代" : during(v.publishedOn, until) + "施行";
      var changes = previous ? versionChanges(previous, v) : [];
      return h("li", null, h("strong", null, "第" + v.number + "版"), " ", v.supersededOn ? badge("已被替代") : badge("现行版本", "ok"),
        " ", h("span", { class: "meta" }, when),
        !previous ? h("p", { class: "note" }, "首次公布。")
          : changes.length ? h("ul", { class: "changes" }, changes.map(function (c) { return h("li", null, c); }))
          : h("p", { class: "note" }, "与上一版相比，公开的内容没有变化。"));
    }).reverse();
    return h("section", { id: "history" }, h("h2", null, "版本记录"),
      items.length ? [h("p", { class: "lead" }, "职权的名称、依据、规则或流程调整后，经审核公布新的版本。以下是历次公布的版本。"),
        h("ol", { class: "versions", reversed: true }, items)] : h("p", { class: "empty" }, "没有公布过的版本。"));
  }

  function searchPage(params) {
    var q = (params.get("q") || "").trim();
    var level = params.get("level") || "";
    var status = params.get("status") || "";
    setTitle(q ? "检索：" + q : "检索");
    var input = h("input", { type: "search", id: "q", name: "q", value: q, placeholder: "例如：临时用地怎么申请、行政许可法第十二条", required: true });
    var levelSelect = h("select", { id: "level", name: "level" }, h("option", { value: "" }, "全部层级"),
      Object.keys(LEVEL).map(function (l) { return h("option", { value: l, selected: l === level }, LEVEL[l]); }));
    var statusSelect = h("select", { id: "status", name: "status" }, h("option", { value: "" }, "现行有效（默认）"),
      h("option", { value: "ALL", selected: status === "ALL" }, "全部版本"),
      Object.keys(STATUS).map(function (s) { return h("option", { value: s, selected: s === status }, STATUS[s]); }));
    function href(nq, nl, ns) {
      var p = new URLSearchParams();
      p.set("q", nq);
      if (nl) p.set("level", nl);
      if (ns) p.set("status", ns);
      return "#/search?" + p.toString();
    }
    var form = h("form", { class: "search", role: "search", onsubmit: function (event) {
      event.preventDefault();
      location.hash = href(input.value.trim(), levelSelect.value, statusSelect.value);
    } }, h("div", { class: "row" }, h("label", { for: "q" }, "问题、关键词或条文"), input, h("button", { type: "submit" }, "检索")),
      h("div", { class: "row filters" }, h("span", { class: "filter" }, h("label", { for: "level" }, "效力层级"), levelSelect),
        h("span", { class: "filter" }, h("label", { for: "status" }, "时效性"), statusSelect)));
    var results = h("div", { id: "results" });
    show(h("h1", null, "查办事单位和法律依据"), form, results);
    if (!q) {
      append(results, h("p", { class: "lead" }, "用一句话提问（如“临时用地怎么申请”）、输入关键词（空格分开）或条文（如“行政许可法第十二条”），" +
        "查找办理这件事的单位和职权，以及法律、法规和规范性文件的条文。"));
      return;
    }
    var filter = {};
    if (level && LEVEL[level]) filter.levels = [level];
    if (status === "ALL") filter.allVersions = true;
    else if (status && STATUS[status]) { filter.statuses = [status]; filter.allVersions = true; }
    append(results, loading());
    // which power and which office handles the matter (searchPowers reads the question as the legal search does)
    var offices = h("section", { class: "offices", "aria-label": "办事指引" });
    query(Q.searchPowers, { q: q }).then(function (data) {
      var s = data.searchPowers;
      if (!s.edges.length) return;
      append(offices, h("h2", null, "办事指引：可能相关的职权和办理单位"), h("ul", { class: "powers" }, s.edges.map(function (edge) {
        var p = edge.node.power;
        return h("li", null, link("#/power/" + enc(p.code), highlighted(edge.node.nameHighlight), { class: "power-name" }),
          h("div", { class: "meta" }, badge(CATEGORY[p.category] || p.category, "cat"), " 办理单位：",
            link("#/unit/" + enc(p.unit.code), p.unit.name, { class: "unit" })));
      })));
    }, function () { /* the legal search below still answers */ });
    var hitList = h("ol", { class: "hits" });
    function addHits(conn) {
      conn.edges.forEach(function (edge) {
        var hit = edge.node;
        var title = hit.titleHighlight ? highlighted(hit.titleHighlight) : hit.document.title;
        hitList.appendChild(h("li", null,
          h("h3", null, "《", title, "》", hit.article.label),
          h("div", { class: "meta" }, badge(LEVEL[hit.document.level] || hit.document.level), " ",
            badge(STATUS[hit.document.status] || hit.document.status, hit.document.status === "IN_FORCE" ? "ok" : "warn"),
            hit.article.chapterPath ? [" ", h("span", null, hit.article.chapterPath)] : null),
          h("p", { class: "snippet" }, highlighted(hit.snippet)),
          hit.matchedWords.length ? h("p", { class: "matched" }, "命中：" + hit.matchedWords.join("、")) : null,
          articleToggle(hit.article.id)));
      });
    }
    query(Q.search, { q: q, filter: filter, after: null }).then(function (data) {
      var s = data.searchLegalBasis;
      var u = s.understanding;
      clear(results);
      var understood = [];
      u.citations.forEach(function (c) {
        understood.push(h("li", null, "条文：" + c.citation + (c.found ? "" : "（库中未收录）")));
      });
      if (u.laws.length) understood.push(h("li", null, "限定法律：" + u.laws.join("、")));
      u.terms.forEach(function (t) {
        if (!t.alternatives.length) return;
        understood.push(h("li", null, "“" + t.word + "”" + (t.literal ? "，也检索 " : " 检索为 ") + t.alternatives.join("、")));
      });
      if (u.dropped.length) understood.push(h("li", null, "忽略的词：" + u.dropped.join("、")));
      if (u.question) understood.push(h("li", null, "按问题理解：不要求每个词都出现，按相关度排序"));
      append(results, offices,
        understood.length ? h("section", { class: "understanding", "aria-label": "检索理解" }, h("h2", null, "检索理解"), h("ul", null, understood)) : null,
        h("h2", null, "相关法律条文"),
        h("p", { class: "count" }, "共 " + s.totalCount + " 条" + (s.matchedAllWords ? "" : "（没有同时包含全部词语的条文，以下为部分命中）")),
        h("div", { class: "facets" },
          s.facets.levels.length ? h("p", null, "层级：", s.facets.levels.map(function (f) {
            return [link(href(q, f.level, status), (LEVEL[f.level] || f.level) + " " + f.count, f.level === level ? { "aria-current": "true" } : null), " "];
          }), level ? link(href(q, "", status), "不限层级") : null) : null,
          s.facets.statuses.length ? h("p", null, "时效：", s.facets.statuses.map(function (f) {
            return [h("span", { class: "facet" }, (STATUS[f.status] || f.status) + " " + f.count), " "];
          })) : null),
        hitList);
      addHits(s);
      if (!s.edges.length) results.appendChild(h("p", { class: "empty" }, "没有找到相关条文。"));
      var info = s.pageInfo;
      if (info.hasNextPage) {
        var more = h("button", { type: "button", class: "more" }, "加载更多");
        more.addEventListener("click", function () {
          more.disabled = true;
          query(Q.search, { q: q, filter: filter, after: info.endCursor }).then(function (d) {
            addHits(d.searchLegalBasis);
            info = d.searchLegalBasis.pageInfo;
            if (info.hasNextPage) more.disabled = false; else more.remove();
          }, function (error) { results.appendChild(failure(error)); });
        });
        results.appendChild(more);
      }
    }, function (error) { clear(results); append(results, failure(error)); });
  }

  function complaintPage(params) {
    setTitle("投诉");
    var powerCode = params.get("power") || "";
    var unitCode = params.get("unit") || "";
    show(h("h1", null, "投诉"), loading());
    Promise.all([loadUnits(), powerCode ? query(Q.complaintTarget, { code: powerCode }) : Promise.resolve(null)]).then(function (got) {
      var units = got[0].filter(function (u) { return u.kind !== "OFFICE"; });
      var power = got[1] && got[1].power;
      if (power) unitCode = power.unit.code;
      var unitSelect = h("select", { id: "c-unit", name: "unit", required: true }, h("option", { value: "" }, "请选择单位"),
        units.map(function (u) { return h("option", { value: u.id, selected: u.code === unitCode }, u.name); }));
      var subject = h("input", { id: "c-subject", name: "subject", maxlength: "200", required: true, autocomplete: "off" });
      var content = h("textarea", { id: "c-content", name: "content", rows: "6", required: true });
      var name = h("input", { id: "c-name", name: "name", autocomplete: "name" });
      var phone = h("input", { id: "c-phone", name: "phone", type: "tel", autocomplete: "tel" });
      var status = h("div", { id: "c-result", "aria-live": "polite" });
      var submit = h("button", { type: "submit" }, "提交投诉");
      var form = h("form", { class: "complaint", onsubmit: function (event) {
        event.preventDefault();
        clear(status);
        submit.disabled = true;
        var input = { subject: subject.value.trim(), content: content.value.trim(), complainantName: name.value.trim(),
          complainantPhone: phone.value.trim() };
        if (power) input.powerId = power.id; else input.unitId = unitSelect.value;
        post(Q.fileComplaint, { input: input }).then(function (data) {
          var r = data.fileComplaint;
          submit.disabled = false;
          if (r.__typename === "ComplaintReceipt") {
            form.hidden = true;
            append(status, h("section", { class: "receipt", role: "status" }, h("h2", null, "投诉已收到"),
              h("dl", null, field("投诉编号", h("code", { id: "receipt-id" }, r.id)), field("查询码", h("code", { id: "receipt-code" }, r.receiptCode)),
                field("收到日期", day(r.receivedOn)), field("受理期限", day(r.acceptDueOn) + (r.dueProvisional ? "（暂定）" : ""))),
              h("p", { class: "warn" }, "请抄下投诉编号和查询码：查询码只显示这一次，凭它们查询办理进度和答复。"),
              link("#/follow?id=" + enc(r.id), "查询办理进度", { class: "button" })));
          } else if (r.__typename === "ValidationErrors") {
            append(status, invalid(r));
          } else {
            append(status, h("p", { class: "error", role: "alert" }, r.message));
          }
        }, function (error) { submit.disabled = false; append(status, failure(error)); });
      } },
        power ? h("p", null, "投诉的职权：", link("#/power/" + enc(power.code), power.name), "（", power.unit.name, "）")
          : h("div", { class: "row" }, h("label", { for: "c-unit" }, "被投诉单位"), unitSelect),
        h("div", { class: "row" }, h("label", { for: "c-subject" }, "投诉事项（200 字以内）"), subject),
        h("div", { class: "row" }, h("label", { for: "c-content" }, "投诉内容"), content),
        h("fieldset", null, h("legend", null, "联系方式（可不填；只有被投诉单位和监督部门能看到）"),
          h("div", { class: "row" }, h("label", { for: "c-name" }, "姓名"), name),
          h("div", { class: "row" }, h("label", { for: "c-phone" }, "电话"), phone)),
        submit);
      show(crumbs([["首页", "#/"], ["投诉"]]), h("h1", null, "投诉"),
        h("p", { class: "lead" }, "对行政权力的行使有意见，可以在这里投诉，不需要登录。提交后会得到投诉编号和查询码，凭它们",
          link("#/follow", "查询办理进度"), "。"),
        form, status);
    }, function (error) { show(h("h1", null, "投诉"), failure(error)); });
  }

  // A follow page (投诉查询, 申请查询): the number and the 查询码, sent by POST — the 查询码 is a secret and
  // stays out of the URL, the history and the access log; `render` shows what was found.
  function followForm(params, o) {
    setTitle(o.title);
    var id = h("input", { id: o.prefix + "-id", name: "id", value: params.get("id") || "", required: true, autocomplete: "off" });
    var code = h("input", { id: o.prefix + "-code", name: "code", required: true, autocomplete: "off", spellcheck: "false" });
    var result = h("div", { id: o.prefix + "-result", "aria-live": "polite" });
    var form = h("form", { class: "follow", onsubmit: function (event) {
      event.preventDefault();
      clear(result);
      append(result, loading());
      post(o.query, { id: id.value.trim(), code: code.value.trim() }).then(function (data) {
        var found = data[o.field];
        clear(result);
        if (!found) { append(result, h("p", { class: "error", role: "alert" }, "没有找到：请核对" + o.number + "和查询码。")); return; }
        append(result, h("section", { class: "progress" }, h("h2", null, o.heading_of ? o.heading_of(found) : found.subject),
          h("dl", null, o.render(found)), o.more ? o.more(found) : null));
      }, function (error) { clear(result); append(result, failure(error)); });
    } },
      h("div", { class: "row" }, h("label", { for: o.prefix + "-id" }, o.number), id),
      h("div", { class: "row" }, h("label", { for: o.prefix + "-code" }, "查询码"), code),
      h("button", { type: "submit" }, "查询"));
    show(crumbs([["首页", "#/"], [o.title]]), h("h1", null, o.heading || o.title),
      h("p", { class: "lead" }, "输入" + o.filed + "时得到的" + o.number + "和查询码。"), form, result);
  }

  function followPage(params) {
    followForm(params, { title: "投诉查询", prefix: "f", query: Q.follow, field: "complaintByReceipt", number: "投诉编号",
      filed: "投诉", render: function (c) {
        return [field("办理状态", COMPLAINT[c.status] || c.status), field("收到日期", day(c.receivedOn)),
          field(c.status === "REJECTED" ? "不予受理日期" : "受理日期", day(c.acceptedOn)),
          field("不予受理理由", c.rejectionReason),
          c.status === "ANSWERED" || c.status === "REJECTED" ? null : field("本环节期限", day(c.dueOn) + (c.dueProvisional ? "（暂定）" : "")),
          field("答复日期", day(c.answeredOn)), field("答复意见", c.answer)];
      } });
  }

  // ---- 依申请公开: file a request for government information, follow it with its 查询码 ----------------
  var REQUEST_STATUS = { RECEIVED: "已收到，待登记", REGISTERED: "已登记，办理中", ANSWERED: "已答复" };
  var OUTCOME = { DISCLOSED: "公开", PARTIALLY_DISCLOSED: "部分公开", WITHHELD: "不予公开", NOT_EXIST: "信息不存在",
    NOT_THIS_AGENCY: "非本机关负责公开" };
  var GROUND = {
    STATE_SECRET: "国家秘密", PROHIBITED_BY_LAW: "法律、行政法规禁止公开", SECURITY_AND_STABILITY: "公开后可能危及国家安全、公共安全、经济安全、社会稳定",
    TRADE_SECRET: "商业秘密", PERSONAL_PRIVACY: "个人隐私", INTERNAL_AFFAIRS: "内部事务信息", PROCESS_INFORMATION: "过程性信息",
    ENFORCEMENT_CASE_FILE: "行政执法案卷信息"
  };
  var DELIVERY = { ELECTRONIC: "电子数据", PAPER: "纸质文本", INSPECTION: "查阅、抄录" };
  var QR = {
    target: "query PortalRequestTarget($code: String!) { power(code: $code) { id code name unit { id code name } } }",
    file: "mutation PortalFileInformationRequest($input: FileInformationRequestInput!) { fileInformationRequest(input: $input) { " +
      "__typename ... on InformationRequestReceipt { id: requestId receivedOn answerDueOn dueProvisional receiptCode } " +
      "... on ValidationErrors { message errors { field message code } } ... on RateLimitedError { message retryAfterSeconds } } }",
    follow: "query PortalFollowInformationRequest($id: ID!, $code: String!) { informationRequestByReceipt(id: $id, code: $code) { " +
      "status subject receivedOn dueOn dueProvisional registeredOn extendedOn extensionReason answeredOn outcome withholdingGround " +
      "answer unit { name } } }"
  };

  function requestPage(params) {
    setTitle("依申请公开");
    var powerCode = params.get("power") || "";
    var unitCode = params.get("unit") || "";
    show(h("h1", null, "依申请公开"), loading());
    var onRequest = params.get("onRequest") || "";
    var target = powerCode ? query(QR.target, { code: powerCode }) : onRequest ? query(QL.onRequestOne, { id: onRequest }) : Promise.resolve(null);
    Promise.all([loadUnits(), target]).then(function (got) {
      var units = got[0].filter(function (u) { return u.kind !== "OFFICE"; });
      var power = got[1] && (got[1].power || got[1].node);
      if (power) unitCode = power.unit.code;
      var unitSelect = h("select", { id: "r-unit", name: "unit", required: true }, h("option", { value: "" }, "请选择单位"),
        units.map(function (u) { return h("option", { value: u.id, selected: u.code === unitCode }, u.name); }));
      var subject = h("input", { id: "r-subject", name: "subject", maxlength: "200", required: true, autocomplete: "off" });
      var description = h("textarea", { id: "r-description", name: "description", rows: "4" });
      var delivery = h("select", { id: "r-delivery", name: "delivery" },
        Object.keys(DELIVERY).map(function (d) { return h("option", { value: d }, DELIVERY[d]); }));
      var name = h("input", { id: "r-name", name: "name", maxlength: "100", required: true, autocomplete: "name" });
      var idNumber = h("input", { id: "r-id-number", name: "idNumber", maxlength: "30", autocomplete: "off", spellcheck: "false" });
      var contact = h("input", { id: "r-contact", name: "contact", maxlength: "100", required: true, autocomplete: "tel" });
      var status = h("div", { id: "r-result", "aria-live": "polite" });
      var submit = h("button", { type: "submit" }, "提交申请");
      var form = h("form", { class: "complaint request", onsubmit: function (event) {
        event.preventDefault();
        clear(status);
        submit.disabled = true;
        var input = { subject: subject.value.trim(), description: description.value.trim(), delivery: delivery.value,
          requesterName: name.value.trim(), requesterIdNumber: idNumber.value.trim(), requesterContact: contact.value.trim() };
        if (power) input.powerId = power.id; else input.unitId = unitSelect.value;
        post(QR.file, { input: input }).then(function (data) {
          var r = data.fileInformationRequest;
          submit.disabled = false;
          if (r.__typename === "InformationRequestReceipt") {
            form.hidden = true;
            append(status, h("section", { class: "receipt", role: "status" }, h("h2", null, "申请已收到"),
              h("dl", null, field("申请编号", h("code", { id: "request-receipt-id" }, r.id)),
                field("查询码", h("code", { id: "request-receipt-code" }, r.receiptCode)),
                field("收到日期", day(r.receivedOn)), field("答复期限", day(r.answerDueOn) + (r.dueProvisional ? "（暂定）" : ""))),
              h("p", { class: "warn" }, "请抄下申请编号和查询码：查询码只显示这一次，凭它们查询办理进度和答复。"),
              link("#/request-follow?id=" + enc(r.id), "查询申请进度", { class: "button" })));
          } else if (r.__typename === "ValidationErrors") {
            append(status, invalid(r));
          } else {
            append(status, h("p", { class: "error", role: "alert" }, r.message));
          }
        }, function (error) { submit.disabled = false; append(status, failure(error)); });
      } },
        power ? h("p", null, "申请公开的职权：", onRequest ? power.name : link("#/power/" + enc(power.code), power.name), "（", power.unit.name, "）")
          : h("div", { class: "row" }, h("label", { for: "r-unit" }, "向哪个单位申请"), unitSelect),
        h("div", { class: "row" }, h("label", { for: "r-subject" }, "申请公开的信息名称（200 字以内）"), subject),
        h("div", { class: "row" }, h("label", { for: "r-description" }, "文号或其他便于查询的描述（可不填）"), description),
        h("div", { class: "row" }, h("label", { for: "r-delivery" }, "获取信息的方式"), delivery),
        h("fieldset", null, h("legend", null, "申请人（只有被申请单位和监督部门能看到）"),
          h("div", { class: "row" }, h("label", { for: "r-name" }, "申请人姓名或名称"), name),
          h("div", { class: "row" }, h("label", { for: "r-id-number" }, "身份证件号码（可不填）"), idNumber),
          h("div", { class: "row" }, h("label", { for: "r-contact" }, "联系方式"), contact)),
        submit);
      show(crumbs([["首页", "#/"], ["依申请公开"]]), h("h1", null, "依申请公开"),
        h("p", { class: "lead" }, "依照《政府信息公开条例》，可以向单位申请公开政府信息，不需要登录。单位在收到申请之日起 20 个工作日内答复" +
          "（经同意可延长一次，不超过 20 个工作日）。提交后会得到申请编号和查询码，凭它们", link("#/request-follow", "查询申请进度"), "。" +
          "不向社会公开、只能依申请公开的职权见", link("#/on-request", "依申请公开的职权"), "。"),
        form, status);
    }, function (error) { show(h("h1", null, "依申请公开"), failure(error)); });
  }

  function requestFollowPage(params) {
    followForm(params, { title: "申请查询", heading: "依申请公开查询", prefix: "rf", query: QR.follow,
      field: "informationRequestByReceipt", number: "申请编号", filed: "申请", render: function (r) {
        return [field("被申请单位", r.unit.name), field("办理状态", REQUEST_STATUS[r.status] || r.status),
          field("收到日期", day(r.receivedOn)), field("登记日期", day(r.registeredOn)),
          field("延长答复期限", r.extendedOn ? day(r.extendedOn) + "：" + r.extensionReason : null),
          r.dueOn ? field("答复期限", day(r.dueOn) + (r.dueProvisional ? "（暂定）" : "")) : null,
          field("答复日期", day(r.answeredOn)), field("答复结果", r.outcome ? OUTCOME[r.outcome] || r.outcome : null),
          field("不予公开的理由", r.withholdingGround ? GROUND[r.withholdingGround] || r.withholdingGround : null),
          field("答复内容", r.answer)];
      } });
  }

  // ---- 网上审批: apply online for a power, follow the case along its chart with the 查询码 ----------------
  var CASE_STATUS = { OPEN: "办理中", SUSPENDED: "补正中（暂停计时）", CLOSED: "已办结" };
  var CASE_OUTCOME = { GRANTED: "准予", REFUSED: "不予" };
  var QA = {
    target: "query PortalApplyTarget($code: String!) { power(code: $code) { id code name acceptsApplications unit { name } " +
      "rules { timeLimit } } }",
    apply: "mutation PortalApply($input: ApplyInput!, $files: [Upload!]) { applyOnline(input: $input, attachments: $files) { " +
      "__typename ... on CaseReceipt { id: caseId receivedOn currentStep receiptCode } " +
      "... on ValidationErrors { message errors { field message code } } ... on RateLimitedError { message retryAfterSeconds } } }",
    follow: "query PortalFollowCase($id: ID!, $code: String!) { caseByReceipt(id: $id, code: $code) { status currentStep " +
      "receivedOn outcome reasons legalBasis closedOn workdaysTaken power { name code } " +
      "chart { steps { key name position current visited } edges { source target label } } " +
      "moves { toName condition opinion day } suspensions { reason suspendedOn resumedOn } } }"
  };

  /** applyOnline as a GraphQL multipart request (its attachments as files): POST, never in a URL. */
  function postFiles(document, variables, files) {
    var body = new FormData();
    var vars = Object.assign({}, variables, { files: files.map(function () { return null; }) });
    var map = {};
    files.forEach(function (f, i) { map[String(i)] = ["variables.files." + i]; });
    body.append("operations", JSON.stringify({ query: document, variables: vars }));
    body.append("map", JSON.stringify(map));
    files.forEach(function (f, i) { body.append(String(i), f, f.name); });
    return fetchJSON(ENDPOINT, { method: "POST", body: body }).then(unwrap);
  }

  function applyPage(params) {
    setTitle("在线申请");
    var code = params.get("power") || "";
    show(h("h1", null, "在线申请"), loading());
    query(QA.target, { code: code }).then(function (data) {
      var power = data.power;
      if (!power || !power.acceptsApplications) return notFound("这项职权不受理网上申请。");
      var request = h("textarea", { id: "a-request", name: "request", rows: "4", maxlength: "2000", required: true });
      var name = h("input", { id: "a-name", name: "name", maxlength: "100", required: true, autocomplete: "name" });
      var contact = h("input", { id: "a-contact", name: "contact", maxlength: "100", required: true, autocomplete: "tel" });
      var files = h("input", { id: "a-files", name: "files", type: "file", multiple: true, accept: ".pdf,.png,.jpg,.jpeg,.docx" });
      var status = h("div", { id: "a-result", "aria-live": "polite" });
      var submit = h("button", { type: "submit" }, "提交申请");
      var form = h("form", { class: "complaint apply", onsubmit: function (event) {
        event.preventDefault();
        clear(status);
        submit.disabled = true;
        var input = { powerId: power.id, request: request.value.trim(), applicantName: name.value.trim(),
          applicantContact: contact.value.trim() };
        postFiles(QA.apply, { input: input }, Array.prototype.slice.call(files.files)).then(function (data) {
          var r = data.applyOnline;
          submit.disabled = false;
          if (r.__typename === "CaseReceipt") {
            form.hidden = true;
            append(status, h("section", { class: "receipt", role: "status" }, h("h2", null, "申请已收到"),
              h("dl", null, field("办件编号", h("code", { id: "case-receipt-id" }, r.id)),
                field("查询码", h("code", { id: "case-receipt-code" }, r.receiptCode)),
                field("收到日期", day(r.receivedOn)), field("当前环节", r.currentStep)),
              h("p", { class: "warn" }, "请抄下办件编号和查询码：查询码只显示这一次，凭它们查询办理进度。"),
              link("#/case-follow?id=" + enc(r.id), "查询办件进度", { class: "button" })));
          } else if (r.__typename === "ValidationErrors") {
            append(status, invalid(r));
          } else {
            append(status, h("p", { class: "error", role: "alert" }, r.message));
          }
        }, function (error) { submit.disabled = false; append(status, failure(error)); });
      } },
        h("p", null, "申请的职权：", link("#/power/" + enc(power.code), power.name), "（", power.unit.name, "）",
          power.rules.timeLimit ? "，办理时限：" + power.rules.timeLimit : ""),
        h("div", { class: "row" }, h("label", { for: "a-request" }, "申请事项（2000 字以内）"), request),
        h("fieldset", null, h("legend", null, "申请人（只有办理单位和监督部门能看到）"),
          h("div", { class: "row" }, h("label", { for: "a-name" }, "申请人姓名或名称"), name),
          h("div", { class: "row" }, h("label", { for: "a-contact" }, "联系方式"), contact)),
        h("div", { class: "row" }, h("label", { for: "a-files" }, "申请材料（PDF、图片或 Word 文件，最多 5 个）"), files),
        submit);
      show(crumbs([["首页", "#/"], [power.name, "#/power/" + enc(power.code)], ["在线申请"]]), h("h1", null, "在线申请"),
        h("p", { class: "lead" }, "不需要登录。提交后会得到办件编号和查询码，凭它们", link("#/case-follow", "查询办件进度"), "。"),
        form, status);
    }, function (error) { show(h("h1", null, "在线申请"), failure(error)); });
  }

  /** The case's chart as its steps in words, the current one marked, and what has been done so far. */
  function caseChart(c) {
    var steps = c.chart.steps.map(function (s) {
      return { key: s.key, name: s.name, kind: s.kind, current: s.current, visited: s.visited,
        details: [field("承办岗位", s.position)] };
    });
    return [h("section", { class: "case-chart" }, h("h3", null, "办理流程"), stepList(steps, c.chart.edges, "case-steps")),
      c.moves.length || c.suspensions.length ? h("section", { class: "case-moves" }, h("h3", null, "办理过程"),
        h("ol", null, c.moves.map(function (m) {
          return h("li", null, h("span", { class: "meta" }, day(m.day)), " ", "转入“" + m.toName + "”", m.opinion ? "：" + m.opinion : "");
        }), c.suspensions.map(function (s) {
          return h("li", null, h("span", { class: "meta" }, s.resumedOn ? during(s.suspendedOn, s.resumedOn) : day(s.suspendedOn) + "起"),
            " ", "补正、暂停计时：" + s.reason);
        }))) : null];
  }

  function caseFollowPage(params) {
    followForm(params, { title: "办件查询", prefix: "cf", query: QA.follow, field: "caseByReceipt", number: "办件编号",
      filed: "申请", heading_of: function (c) { return c.power ? c.power.name : "办件"; }, render: function (c) {
        return [field("办理状态", CASE_STATUS[c.status] || c.status), field("收到日期", day(c.receivedOn)),
          field("当前环节", c.currentStep), field("已用工作日", String(c.workdaysTaken)),
          field("办理结果", c.outcome ? CASE_OUTCOME[c.outcome] + "：" + c.reasons : null), field("法律依据", c.legalBasis || null),
          field("办结日期", day(c.closedOn))];
      }, more: caseChart });
  }

  // ---- 公示 and 征求意见: draft powers put up for comment (公示稿), and the comment form ----------------
  var COMMENT_STATUS = { PUBLISHED: "已公开", ANSWERED: "已答复" };
  var QC = {
    periods: "query PortalCommentPeriods($after: String) { commentPeriods(open: true, first: " + PAGE + ", after: $after) { " +
      "totalCount pageInfo { hasNextPage endCursor } edges { node { id title startsOn endsOn unit { code name } " +
      "drafts { id code name label } } } } }",
    draft: "query PortalCommentDraft($id: ID!) { node(id: $id) { ... on CommentDraft { id code name label draftForComment " +
      "category exerciseMode description rules { disclosureScope disclosureForm disclosureTiming disclosureDeadline feeBasis " +
      "feeStandard timeLimit } bases { citation note articleText } flowChart { title complaintChannel notes steps { ordinal name " +
      "kind condition position timeLimit supervision } edges { source target label } } period { id title startsOn endsOn status unit { code name } } " +
      "comments(first: 50) { totalCount edges { node { id body answer status receivedOn moderatedOn } } } } } }",
    comment: "mutation PortalCommentOnDraft($input: CommentOnDraftInput!) { commentOnDraft(input: $input) { __typename " +
      "... on CommentReceived { id: commentId status receivedOn message } ... on ValidationErrors { message errors { field message code } } " +
      "... on NotFoundError { message } ... on RateLimitedError { message retryAfterSeconds } } }"
  };

  function draftBanner(period) {
    return h("p", { class: "draft-banner", role: "note" }, h("strong", null, "征求意见稿"),
      "：本页是" + period.unit.name + "公示的职权草案，不是正式公布的职权目录。公示期" + during(period.startsOn, period.endsOn) +
      "，欢迎在此期间提出意见。");
  }

  function commentPeriodsPage() {
    setTitle("征求意见");
    show(h("h1", null, "公示与征求意见"), loading());
    function fetchPage(after) { return query(QC.periods, { after: after }).then(function (d) { return d.commentPeriods; }); }
    fetchPage(null).then(function (conn) {
      var list = h("ul", { class: "periods" });
      function add(c) {
        c.edges.forEach(function (edge) {
          var p = edge.node;
          list.appendChild(h("li", null, h("h2", null, p.title),
            h("p", { class: "meta" }, badge("公示中", "ok"), " ", link("#/unit/" + enc(p.unit.code), p.unit.name),
              " · 公示期" + during(p.startsOn, p.endsOn)),
            h("ul", { class: "drafts" }, p.drafts.map(function (d) {
              return h("li", null, link("#/draft/" + enc(d.id), d.name), " ", badge(d.label, "warn"), " ", h("code", null, d.code));
            }))));
        });
      }
      add(conn);
      var box = [crumbs([["首页", "#/"], ["征求意见"]]), h("h1", null, "公示与征求意见"),
        h("p", { class: "lead" }, "各单位清理登记的职权在申报前向社会公示，征求意见。公示期内可以查看征求意见稿并提出意见，不需要登录。"),
        h("p", { class: "count" }, "正在公示 " + conn.totalCount + " 项"), list];
      if (!conn.edges.length) box.push(h("p", { class: "empty" }, "目前没有正在公示的职权。"));
      var info = conn.pageInfo;
      if (info.hasNextPage) {
        var more = h("button", { type: "button", class: "more" }, "加载更多");
        more.addEventListener("click", function () {
          more.disabled = true;
          fetchPage(info.endCursor).then(function (c) {
            add(c);
            info = c.pageInfo;
            if (info.hasNextPage) more.disabled = false; else more.remove();
          }, function (error) { main().appendChild(failure(error)); });
        });
        box.push(more);
      }
      show(box);
    }, function (error) { show(h("h1", null, "公示与征求意见"), failure(error)); });
  }

  function commentForm(draft) {
    var body = h("textarea", { id: "cm-body", name: "body", rows: "6", maxlength: "2000", required: true });
    var name = h("input", { id: "cm-name", name: "name", maxlength: "50", autocomplete: "name" });
    var contact = h("input", { id: "cm-contact", name: "contact", maxlength: "100", autocomplete: "tel" });
    var status = h("div", { id: "cm-result", "aria-live": "polite" });
    var submit = h("button", { type: "submit" }, "提交意见");
    var form = h("form", { class: "comment", onsubmit: function (event) {
      event.preventDefault();
      clear(status);
      submit.disabled = true;
      var input = { draftId: draft.id, body: body.value.trim(), commenterName: name.value.trim(), commenterContact: contact.value.trim() };
      post(QC.comment, { input: input }).then(function (data) {
        var r = data.commentOnDraft;
        submit.disabled = false;
        if (r.__typename === "CommentReceived") {
          form.hidden = true;
          append(status, h("section", { class: "receipt", role: "status" }, h("h3", null, "意见已收到"),
            h("p", null, "感谢您的意见。单位审核后会在本页公开或答复。")));
        } else if (r.__typename === "ValidationErrors") {
          append(status, invalid(r));
        } else {
          append(status, h("p", { class: "error", role: "alert" }, r.message));
        }
      }, function (error) { submit.disabled = false; append(status, failure(error)); });
    } },
      h("div", { class: "row" }, h("label", { for: "cm-body" }, "意见内容（2000 字以内）"), body),
      h("fieldset", null, h("legend", null, "姓名和联系方式（可不填；只有公示单位和监督部门能看到，不会公开）"),
        h("div", { class: "row" }, h("label", { for: "cm-name" }, "姓名"), name),
        h("div", { class: "row" }, h("label", { for: "cm-contact" }, "联系方式"), contact)),
      submit);
    return [form, status];
  }

  function commentDraftPage(id) {
    show(loading());
    query(QC.draft, { id: id }).then(function (data) {
      var d = data.node;
      if (!d || !d.draftForComment) return notFound("没有这份征求意见稿，或公示期已结束。");
      var period = d.period;
      setTitle(d.label + "：" + d.name);
      var r = d.rules;
      var chart = d.flowChart;
      var comments = d.comments.edges.map(function (e) { return e.node; });
      show(crumbs([["首页", "#/"], ["征求意见", "#/comments"], [d.name]]),
        draftBanner(period),
        h("h1", null, h("span", { class: "badge badge-warn" }, d.label), " ", d.name),
        h("p", { class: "meta" }, badge(CATEGORY[d.category] || d.category, "cat"), " ", h("code", null, d.code), " ",
          MODE[d.exerciseMode] || "", " · 公示单位 ", link("#/unit/" + enc(period.unit.code), period.unit.name), " · ", period.title),
        d.description ? h("p", null, d.description) : null,
        h("section", { id: "draft-rules" }, h("h2", null, "行使规则（征求意见稿）"), h("dl", { class: "rules" },
          field("公开范围", SCOPE[r.disclosureScope]), field("公开形式", r.disclosureForm),
          field("公开时限", (TIMING[r.disclosureTiming] || "") + (r.disclosureDeadline ? "：" + r.disclosureDeadline : "")),
          field("办理时限", r.timeLimit), field("收费依据", r.feeBasis), field("收费标准", r.feeStandard))),
        h("section", { id: "draft-bases" }, h("h2", null, "职权依据"), d.bases.length ? h("ol", { class: "bases" }, d.bases.map(function (b) {
          return h("li", null, h("span", { class: "citation" }, b.citation), b.note ? h("p", { class: "note" }, b.note) : null,
            h("details", null, h("summary", null, "查看条文"), h("div", { class: "article-text" },
              b.articleText.split("\n").map(function (line) { return h("p", null, line); }))));
        })) : h("p", { class: "empty" }, "未列依据。")),
        h("section", { id: "draft-chart" }, h("h2", null, "运行流程（征求意见稿）"), chart ? [
          stepList(chart.steps.map(function (s) {
            return { key: s.ordinal, name: s.name, kind: s.kind, details: [field("条件", s.condition), field("承办岗位", s.position),
              field("办理时限", s.timeLimit), field("监督制约", s.supervision)] };
          }), chart.edges),
          chart.complaintChannel ? h("p", null, "投诉举报途径：" + chart.complaintChannel) : null
        ] : h("p", { class: "empty" }, "尚无流程图。")),
        h("section", { id: "draft-comments" }, h("h2", null, "公开的意见（" + d.comments.totalCount + " 条）"),
          comments.length ? h("ol", { class: "comments" }, comments.map(function (c) {
            return h("li", null, h("p", null, c.body), h("p", { class: "meta" }, badge(COMMENT_STATUS[c.status] || c.status), " ", day(c.receivedOn)),
              c.answer ? h("p", { class: "answer" }, "答复：" + c.answer) : null);
          })) : h("p", { class: "empty" }, "还没有公开的意见。")),
        h("section", { id: "draft-comment-form" }, h("h2", null, "提出意见"), commentForm(d)));
    }, function (error) { show(failure(error)); });
  }

  // ---- 通报, 民意测验 and powers disclosed on request (issue 24) -------------------------------------
  var QL = {
    bulletins: "query PortalBulletins { bulletins(first: 50) { totalCount nodes { id number title publishedOn } } }",
    bulletin: "query PortalBulletin($id: ID!) { node(id: $id) { ... on Bulletin { id number title publishedOn paragraphs } } }",
    document: "mutation PortalBulletinDocument($id: ID!) { generateBulletinDocument(id: $id) { __typename " +
      "... on BulletinDocumentLink { url filename pdfUrl } ... on NotFoundError { message } } }",
    surveys: "query PortalSurveys { surveys(first: 50) { totalCount nodes { id title open opensOn closesOn summaryPublishedOn " +
      "unit { code name } power { code name } } } }",
    survey: "query PortalSurvey($id: ID!) { node(id: $id) { ... on Survey { id title open opensOn closesOn summary " +
      "summaryPublishedOn questions { text options } unit { code name } power { code name } } } }",
    answer: "mutation PortalAnswerSurvey($id: ID!, $choices: [Int!]!) { answerSurvey(surveyId: $id, choices: $choices) { __typename " +
      "... on SurveyAnswerReceipt { receivedOn } ... on ValidationErrors { message errors { field message code } } " +
      "... on NotFoundError { message } ... on IllegalTransitionError { message } ... on RateLimitedError { message retryAfterSeconds } } }",
    onRequest: "query PortalOnRequest($after: String) { powersOnRequest(first: " + PAGE + ", after: $after) { totalCount " +
      "pageInfo { hasNextPage endCursor } nodes { id code name category disclosure unit { code name } } } }",
    onRequestOne: "query PortalOnRequestOne($id: ID!) { node(id: $id) { ... on PowerOnRequest { id code name unit { code name } } } }"
  };

  function bulletinsPage() {
    setTitle("通报");
    show(h("h1", null, "通报"), loading());
    query(QL.bulletins).then(function (data) {
      var list = data.bulletins.nodes;
      show(crumbs([["首页", "#/"], ["通报"]]), h("h1", null, "通报"),
        h("p", { class: "lead" }, "县公开办就清权确权工作的进展和结果发布的通报。"),
        list.length ? h("ul", { class: "bulletins" }, list.map(function (b) {
          return h("li", null, link("#/bulletin/" + enc(b.id), b.title), " ", h("span", { class: "meta" }, (b.number ? b.number + " · " : "") + day(b.publishedOn)));
        })) : h("p", { class: "empty" }, "还没有发布通报。"));
    }, function (error) { show(h("h1", null, "通报"), failure(error)); });
  }

  function bulletinPage(id) {
    setTitle("通报");
    show(loading());
    query(QL.bulletin, { id: id }).then(function (data) {
      var b = data.node;
      if (!b) return notFound("没有这份通报。");
      setTitle(b.title);
      var download = h("div", { id: "bulletin-document", "aria-live": "polite" });
      var button = h("button", { type: "button" }, "下载 Word 文本");
      button.addEventListener("click", function () {
        button.disabled = true;
        post(QL.document, { id: b.id }).then(function (d) {
          var r = d.generateBulletinDocument;
          clear(download);
          if (r.__typename === "BulletinDocumentLink") {
            append(download, link(r.url, r.filename, { download: r.filename }), r.pdfUrl ? " " : null,
              r.pdfUrl ? link(r.pdfUrl, "PDF") : null);
          } else {
            append(download, h("p", { class: "error", role: "alert" }, r.message));
          }
          button.disabled = false;
        }, function (error) { button.disabled = false; append(download, failure(error)); });
      });
      show(crumbs([["首页", "#/"], ["通报", "#/bulletins"], [b.title]]), h("h1", null, b.title),
        h("p", { class: "meta" }, (b.number ? b.number + " · " : "") + "发布日期 " + day(b.publishedOn)),
        h("div", { class: "bulletin" }, b.paragraphs.map(function (p) {
          return /^[一二三四五六七八九十]+、/.test(p) && p.length <= 30 ? h("h2", null, p) : h("p", null, p);
        })), button, download);
    }, function (error) { show(failure(error)); });
  }

  function surveysPage() {
    setTitle("民意测验");
    show(h("h1", null, "民意测验"), loading());
    query(QL.surveys).then(function (data) {
      var list = data.surveys.nodes;
      show(crumbs([["首页", "#/"], ["民意测验"]]), h("h1", null, "民意测验"),
        h("p", { class: "lead" }, "对单位和职权行使情况的民意测验。进行中的测验不需要登录即可参加；结束后公布测评结果。"),
        list.length ? h("ul", { class: "surveys" }, list.map(function (s) {
          return h("li", null, link("#/survey/" + enc(s.id), s.title), " ",
            s.open ? badge("进行中", "ok") : badge(s.summaryPublishedOn ? "已公布结果" : "已结束"), " ",
            h("span", { class: "meta" }, (s.power ? s.power.name + " · " : "") + s.unit.name + " · " + during(s.opensOn, s.closesOn)));
        })) : h("p", { class: "empty" }, "目前没有民意测验。"));
    }, function (error) { show(h("h1", null, "民意测验"), failure(error)); });
  }

  function surveyPage(id) {
    setTitle("民意测验");
    show(loading());
    query(QL.survey, { id: id }).then(function (data) {
      var s = data.node;
      if (!s) return notFound("没有这项民意测验。");
      setTitle(s.title);
      var head = [crumbs([["首页", "#/"], ["民意测验", "#/surveys"], [s.title]]), h("h1", null, s.title),
        h("p", { class: "meta" }, "测评对象：", s.power ? link("#/power/" + enc(s.power.code), s.power.name) : null, s.power ? "（" : null,
          link("#/unit/" + enc(s.unit.code), s.unit.name), s.power ? "）" : null, " · " + during(s.opensOn, s.closesOn))];
      if (s.summary !== null) {
        return show(head, h("section", { id: "survey-summary" }, h("h2", null, "测评结果（" + day(s.summaryPublishedOn) + "公布）"),
          s.summary.split("\n").map(function (line) { return h("p", null, line); })));
      }
      if (!s.open) return show(head, h("p", { class: "empty" }, "本次测验已结束，结果尚未公布。"));
      var status = h("div", { id: "sv-result", "aria-live": "polite" });
      var submit = h("button", { type: "submit" }, "提交答卷");
      var groups = s.questions.map(function (q, i) {
        return h("fieldset", null, h("legend", null, (i + 1) + "．" + q.text), q.options.map(function (o, j) {
          var radio = h("input", { type: "radio", id: "sv-" + i + "-" + j, name: "q" + i, value: String(j), required: true });
          return h("div", { class: "choice" }, radio, h("label", { for: "sv-" + i + "-" + j }, o));
        }));
      });
      var form = h("form", { class: "survey", onsubmit: function (event) {
        event.preventDefault();
        clear(status);
        var choices = s.questions.map(function (q, i) {
          var checked = form.querySelector("input[name=q" + i + "]:checked");
          return checked ? Number(checked.value) : -1;
        });
        submit.disabled = true;
        post(QL.answer, { id: s.id, choices: choices }).then(function (d) {
          var r = d.answerSurvey;
          submit.disabled = false;
          if (r.__typename === "SurveyAnswerReceipt") {
            form.hidden = true;
            append(status, h("p", { class: "receipt", role: "status" }, "答卷已收到，谢谢参与。测验结束后将公布测评结果。"));
          } else if (r.__typename === "ValidationErrors") {
            append(status, invalid(r));
          } else {
            append(status, h("p", { class: "error", role: "alert" }, r.message));
          }
        }, function (error) { submit.disabled = false; append(status, failure(error)); });
      } }, groups, submit);
      show(head, h("p", { class: "lead" }, "不需要登录；不记录答卷人的任何信息。"), form, status);
    }, function (error) { show(failure(error)); });
  }

  function onRequestPage() {
    setTitle("依申请公开的职权");
    show(h("h1", null, "依申请公开的职权"), loading());
    query(QL.onRequest, { after: null }).then(function (data) {
      var conn = data.powersOnRequest;
      show(crumbs([["首页", "#/"], ["依申请公开的职权"]]), h("h1", null, "依申请公开的职权"),
        h("p", { class: "lead" }, "以下职权按规定一定范围内公开或依申请公开：这里只列出名称和实施主体，可以申请公开其内容。"),
        h("p", { class: "count" }, "共 " + conn.totalCount + " 项"),
        conn.nodes.length ? h("ul", { class: "powers" }, conn.nodes.map(function (p) {
          return h("li", null, h("span", { class: "power-name" }, p.name), " ", badge(p.disclosure, "warn"), " ",
            h("span", { class: "meta" }, (CATEGORY[p.category] || p.category) + " · " + p.unit.name), " ",
            link("#/request?onRequest=" + enc(p.id), "申请公开"));
        })) : h("p", { class: "empty" }, "没有依申请公开的职权。"));
    }, function (error) { show(h("h1", null, "依申请公开的职权"), failure(error)); });
  }

  function notFound(message) {
    setTitle("未找到");
    show(h("h1", null, "未找到"), h("p", null, message || "没有这个页面。"), link("#/", "返回首页"));
  }

  // ---- routing --------------------------------------------------------------------------------
  function route() {
    // each route drawn counts up on #main, so that a test (or a script) can tell the new page from the last
    main().setAttribute("data-routed", String(Number(main().getAttribute("data-routed") || 0) + 1));
    var hash = location.hash.replace(/^#/, "") || "/";
    var at = hash.indexOf("?");
    var path = at < 0 ? hash : hash.slice(0, at);
    var params = new URLSearchParams(at < 0 ? "" : hash.slice(at + 1));
    var parts = path.split("/").filter(Boolean).map(function (p) {
      try { return decodeURIComponent(p); } catch (e) { return p; }
    });
    document.querySelectorAll("header.site nav a").forEach(function (a) {
      var target = a.getAttribute("href").replace(/^#/, "");
      var here = (parts.length ? "/" + parts[0] : "/");
      var active = target === here || (target === "/" && (here === "/unit" || here === "/power")) ||
        (target === "/categories" && here === "/category");
      if (active) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
    switch (parts[0] || "") {
      case "": return homePage();
      case "categories": return categoriesPage();
      case "category": return categoryPage(parts[1] || "");
      case "unit": return unitPage(parts[1] || "", params);
      case "power": return powerPage(parts[1] || "");
      case "search": return searchPage(params);
      case "complaint": return complaintPage(params);
      case "follow": return followPage(params);
      case "request": return requestPage(params);
      case "request-follow": return requestFollowPage(params);
      case "apply": return applyPage(params);
      case "case-follow": return caseFollowPage(params);
      case "comments": return commentPeriodsPage();
      case "draft": return commentDraftPage(parts[1] || "");
      case "bulletins": return bulletinsPage();
      case "bulletin": return bulletinPage(parts[1] || "");
      case "surveys": return surveysPage();
      case "survey": return surveyPage(parts[1] || "");
      case "on-request": return onRequestPage();
      default: return notFound();
    }
  }

  function start() {
    // a bug in a page's code must not fail silently: say so on the page and in the console
    window.addEventListener("unhandledrejection", function (event) {
      console.error("portal:", event.reason);
      append(main(), failure(event.reason));
    });
    query(Q.county).then(function (data) {
      var roots = data.units.edges.map(function (e) { return e.node.name; });
      if (roots.length === 1) {
        var name = roots[0].replace(/人民政府$/, "");
        document.getElementById("county").textContent = name;
      }
    }, function () { /* the header keeps its generic name */ });
    // the skip link moves the focus to the content without touching the route (the hash)
    document.querySelector("a.skip").addEventListener("click", function (event) {
      event.preventDefault();
      main().focus();
    });
    window.addEventListener("hashchange", function () { route(); window.scrollTo(0, 0); main().focus({ preventScroll: true }); });
    route();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
