/* cloudaudit report page: the findings table and the world map, rendered from the embedded
   JSON (see cloudaudit/formats/_page.py). Every value from a cloud is set as text, never as
   markup; invisible and control characters are shown as U+XXXX. No request leaves the page. */
(function () {
  "use strict";
  var STATUSES = ["violation", "unknown", "exempt", "compliant"];
  var RANK = {violation: 0, unknown: 1, exempt: 2, compliant: 3};
  var COLOR = {violation: "#c62828", unknown: "#f9a825", exempt: "#0277bd", compliant: "#2e7d32"};
  var PAGE = 200, MANY = 200, SVGNS = "http://www.w3.org/2000/svg";
  var BAD = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

  function $(id) { return document.getElementById(id); }
  function parse(id) { var n = $(id); return n ? JSON.parse(n.textContent) : null; }
  var D = parse("ca-data");
  if (!D) { return; }
  var W = parse("ca-world"), PTS = parse("ca-points") || {};

  function hex(ch) { return "U+" + ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0"); }
  function plain(s) { return s == null ? "" : String(s).replace(BAD, function (c) { return "\u27e8" + hex(c) + "\u27e9"; }); }
  function text(parent, s) {
    s = s == null ? "" : String(s);
    var last = 0, m;
    BAD.lastIndex = 0;
    while ((m = BAD.exec(s)) !== null) {
      if (m.index > last) { parent.appendChild(document.createTextNode(s.slice(last, m.index))); }
      var sp = document.createElement("span");
      sp.className = "ctl"; sp.title = "invisible or control character"; sp.textContent = hex(m[0]);
      parent.appendChild(sp);
      last = m.index + 1;
    }
    if (last < s.length) { parent.appendChild(document.createTextNode(s.slice(last))); }
    return parent;
  }
  function el(tag, cls, s) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (s != null) { text(n, s); }
    return n;
  }
  function svg(tag, attrs, parent) {
    var n = document.createElementNS(SVGNS, tag);
    for (var k in attrs) { if (attrs[k] != null) { n.setAttribute(k, attrs[k]); } }
    if (parent) { parent.appendChild(n); }
    return n;
  }
  function badge(status) { return el("span", "st " + status, status); }
  function cname(cc) { var c = D.countries[cc]; return c ? c[0] + " (" + cc + ")" : cc; }

  // ---- data: expand what the page stores once -----------------------------------------
  var S = D.strings;
  function str(i) { return i < 0 ? null : S[i]; }
  function codes(i) { return S[i] ? S[i].split(",") : []; }
  var EV = D.evidence.map(function (e) { return [e[0], e[1], e[2], codes(e[3]), str(e[4])]; });
  var V = D.verdicts.map(function (v) {
    var region = str(v[5]), zone = str(v[6]);
    return {
      status: v[0], exemption: str(v[1]), reasons: v[2].map(str), jurisdictions: codes(v[3]),
      evidence: v[4].map(function (i) { return EV[i]; }), region: region, zone: zone,
      location: zone || region || "(no location)", kind: v[7], copies: v[8].map(str), home: v[9],
      countries: codes(v[10]), operator_jurisdictions: codes(v[11]), operators: v[12].map(str),
      lists: codes(v[13])
    };
  });
  function resourceId(t, name, account, v) {
    return t.split("\u0004").join(name).split("\u0001").join(account)
      .split("\u0003").join(v.zone || "").split("\u0002").join(v.region || "");
  }
  var rows = D.rows.map(function (r, i) {
    var k = D.kinds[r[2]], v = V[r[3]];
    return {
      i: i, name: r[0], id: typeof r[1] === "number" ? resourceId(D.ids[r[1]], r[0], k[1], v) : r[1],
      provider: k[0], account: k[1], service: k[2], type: k[3], vi: r[3], v: v,
      tags: r[4].map(function (t) { return D.tags[t]; })
    };
  });
  function reasons(row) {
    var label = row.type + " `" + row.name + "`";
    return row.v.reasons.map(function (t) { return t.split("\u0000").join(label); });
  }
  var vtext = {};
  function haystack(row) {
    if (row.hay === undefined) {
      var v = row.v, t = vtext[row.vi];
      if (t === undefined) {
        t = vtext[row.vi] = [v.status, v.location, v.copies.join(" "), v.reasons.join(" "),
          v.operators.join(" "), v.countries.map(cname).join(" "), v.exemption || ""].join(" ");
      }
      row.hay = [row.name, row.id, row.provider, row.account, row.service, row.type,
        row.tags.map(function (kv) { return kv[0] + "=" + kv[1]; }).join(" "), t].join(" ").toLowerCase();
    }
    return row.hay;
  }

  // ---- filters ----------------------------------------------------------------------------
  var total = rows.length, compliant = D.meta.summary.compliant;
  // the table hides compliant rows when there are many; the map still shows where they are,
  // until the compliant chip is used (then the map follows it, as every other filter)
  var hideCompliant = !!$("ca-table") && total > MANY && compliant < total;
  var compliantChosen = false;
  var F = {status: {violation: true, unknown: true, exempt: true, compliant: !hideCompliant},
    provider: "", account: "", country: "", jurisdiction: "", list: "", q: ""};
  var FIELDS = [
    ["provider", "provider", function (r) { return [r.provider]; }],
    ["account", "account", function (r) { return [r.account]; }],
    ["country", "country (any axis)", function (r) { return r.v.countries; }],
    ["jurisdiction", "operator jurisdiction", function (r) { return r.v.operator_jurisdictions; }],
    ["list", "legal list", function (r) { return r.v.lists; }]
  ];
  function keep(r) {
    if (!F.status[r.v.status]) { return false; }
    for (var i = 0; i < FIELDS.length; i++) {
      var want = F[FIELDS[i][0]];
      if (want && FIELDS[i][2](r).indexOf(want) < 0) { return false; }
    }
    return !F.q || haystack(r).indexOf(F.q) >= 0;
  }
  function optionLabel(field, value) {
    if (field === "country" || field === "jurisdiction") { return cname(value); }
    if (field === "list") { var l = D.lists[value]; return l ? l.citation + " \u2013 " + l.title : value; }
    return value;
  }

  var sortKey = null, sortDir = 1, shown = PAGE, openRow = -1, filtered = rows;
  var COLUMNS = [
    ["status", function (r) { return RANK[r.v.status]; }],
    ["resource", function (r) { return r.name.toLowerCase(); }],
    ["provider / account", function (r) { return r.provider + " " + r.account; }],
    ["location", function (r) { return r.v.location; }],
    ["country", function (r) { return r.v.home; }],
    ["copies", function (r) { return r.v.copies.join(" "); }],
    ["operator", function (r) { return r.v.operators.join(" "); }],
    ["why", function (r) { return r.v.reasons[0] || ""; }]
  ];

  function apply() {
    filtered = rows.filter(keep);
    if (sortKey !== null) {
      var f = COLUMNS[sortKey][1];
      filtered.sort(function (a, b) {
        var x = f(a), y = f(b);
        return (x < y ? -1 : x > y ? 1 : a.i - b.i) * (x === y ? 1 : sortDir);
      });
    }
    shown = PAGE; openRow = -1;
    renderTable();
    paintMap();
  }

  // ---- controls ---------------------------------------------------------------------------
  function buildControls() {
    var box = $("ca-controls");
    if (!box) { return; }
    var counts = {};
    rows.forEach(function (r) { counts[r.v.status] = (counts[r.v.status] || 0) + 1; });
    STATUSES.forEach(function (s) {
      var b = el("button", "ca-chip " + s, s + " " + (counts[s] || 0));
      b.type = "button"; b.setAttribute("data-status", s);
      b.setAttribute("aria-pressed", F.status[s] ? "true" : "false");
      b.addEventListener("click", function () {
        F.status[s] = !F.status[s];
        if (s === "compliant") { compliantChosen = true; }
        b.setAttribute("aria-pressed", F.status[s] ? "true" : "false");
        apply();
      });
      box.appendChild(b);
    });
    FIELDS.forEach(function (fd) {
      var seen = {};
      rows.forEach(function (r) { fd[2](r).forEach(function (x) { seen[x] = (seen[x] || 0) + 1; }); });
      var keys = Object.keys(seen).sort();
      var lab = el("label", null, fd[1] + " ");
      var sel = el("select");
      sel.id = "ca-f-" + fd[0];
      var any = el("option", null, "any"); any.value = ""; sel.appendChild(any);
      keys.forEach(function (k) {
        var o = el("option", null, plain(optionLabel(fd[0], k)) + " (" + seen[k] + ")");
        o.value = k; sel.appendChild(o);
      });
      sel.disabled = keys.length === 0;
      sel.addEventListener("change", function () { F[fd[0]] = sel.value; apply(); });
      lab.appendChild(sel); box.appendChild(lab);
    });
    var q = el("input");
    q.type = "search"; q.id = "ca-search"; q.placeholder = "search names, ids, tags, reasons";
    q.setAttribute("aria-label", "search");
    var timer = null;
    q.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { F.q = q.value.trim().toLowerCase(); apply(); }, 120);
    });
    q.addEventListener("change", function () {  // Enter: answer at once
      clearTimeout(timer); F.q = q.value.trim().toLowerCase(); apply();
    });
    box.appendChild(q);
    var reset = el("button", "ca-reset", "reset");
    reset.type = "button";
    reset.addEventListener("click", function () {
      STATUSES.forEach(function (s) { F.status[s] = true; });
      FIELDS.forEach(function (fd) { F[fd[0]] = ""; $("ca-f-" + fd[0]).value = ""; });
      F.q = ""; q.value = "";
      box.querySelectorAll(".ca-chip").forEach(function (b) { b.setAttribute("aria-pressed", "true"); });
      apply();
    });
    box.appendChild(reset);
  }
  function setCountry(cc) {
    F.country = cc;
    var sel = $("ca-f-country");
    if (sel) { sel.value = cc; }
    apply();
  }

  // ---- table ------------------------------------------------------------------------------
  function cell(tr, s, cls) { var td = el("td", cls, s); tr.appendChild(td); return td; }
  function renderHead() {
    var head = $("ca-table") && $("ca-table").tHead;
    if (!head) { return; }
    var tr = el("tr");
    COLUMNS.forEach(function (c, i) {
      var th = el("th", null, c[0]);
      th.addEventListener("click", function () {
        sortDir = sortKey === i ? -sortDir : 1; sortKey = i;
        tr.querySelectorAll("th").forEach(function (h) { h.className = ""; });
        th.className = sortDir > 0 ? "asc" : "desc";
        apply();
      });
      tr.appendChild(th);
    });
    head.appendChild(tr);
  }
  function rowEl(r) {
    var v = r.v, tr = el("tr", "ca-row");
    tr.setAttribute("data-row", r.i);
    var td = el("td"); td.appendChild(badge(v.status)); tr.appendChild(td);
    td = el("td"); td.appendChild(el("span", "muted", r.type + " ")); td.appendChild(el("b", null, r.name));
    td.appendChild(el("br")); td.appendChild(el("span", "id", r.id)); tr.appendChild(td);
    cell(tr, r.provider + " / " + r.account);
    cell(tr, v.location);
    cell(tr, v.home);
    cell(tr, v.copies.join(", "));
    td = cell(tr, v.operators.join(", ") + " ");
    v.operator_jurisdictions.forEach(function (j) { td.appendChild(el("span", "op", j)); td.appendChild(document.createTextNode(" ")); });
    var rs = reasons(r);
    cell(tr, rs.length ? rs[0] + (rs.length > 1 ? " (+" + (rs.length - 1) + ")" : "") : "");
    tr.addEventListener("click", function () { openRow = openRow === r.i ? -1 : r.i; renderTable(); });
    return tr;
  }
  function kv(dl, k, v) {
    dl.appendChild(el("dt", null, k));
    var dd = el("dd");
    if (v instanceof Node) { dd.appendChild(v); } else { text(dd, v); }
    dl.appendChild(dd);
  }
  function placeText(p) {
    var bits = [];
    if (p.country) { bits.push(cname(p.country)); }
    if (p.countries.length && !(p.countries.length === 1 && p.countries[0] === p.country)) { bits.push("members: " + p.countries.join(", ")); }
    if (p.candidates.length) { bits.push("may span (members not published): " + p.candidates.join(", ")); }
    if (!p.country && !p.countries.length && !p.candidates.length) { bits.push("no country known"); }
    if (p.subdivision) { bits.push(p.subdivision); }
    if (p.city) { bits.push(p.city); }
    return bits.join("; ");
  }
  function detail(r) {
    var v = r.v, box = el("div"), dl = el("dl", "ev");
    kv(dl, "resource id", r.id);
    kv(dl, "type", r.provider + " " + r.service + " " + r.type);
    kv(dl, "account", r.account);
    kv(dl, "location", v.location + " (" + v.kind + ")");
    kv(dl, "copies", v.copies.length ? v.copies.join(", ") : "none reported");
    kv(dl, "tags", r.tags.length ? r.tags.map(function (t) { return t[0] + "=" + t[1]; }).join(", ") : "none");
    kv(dl, "status", badge(v.status));
    if (v.exemption) { kv(dl, "exemption", v.exemption); }
    if (v.lists.length) {
      kv(dl, "legal basis", v.lists.map(function (i) { var l = D.lists[i]; return l.citation + " (" + l.title + ")"; }).join("; "));
    }
    if (v.jurisdictions.length) { kv(dl, "matched", v.jurisdictions.map(cname).join(", ")); }
    box.appendChild(dl);
    var ul = el("ul", "rs");
    reasons(r).forEach(function (s) { ul.appendChild(el("li", null, s)); });
    box.appendChild(ul);
    var t = el("table", "evt"), hr = el("tr");
    ["axis", "location", "place", "operator", "verdict", "matched", "catalog source"].forEach(function (h) { hr.appendChild(el("th", null, h)); });
    t.appendChild(hr);
    v.evidence.forEach(function (e) {
      var p = D.places[e[1]], tr = el("tr");
      cell(tr, e[0]);
      cell(tr, (p.zone || p.region || "(none)") + (e[4] ? " \u2013 " + e[4] : ""));
      cell(tr, placeText(p));
      cell(tr, p.operator ? p.operator + (p.operator_country ? " \u2013 under " + cname(p.operator_country) : "") : "unknown");
      var td = el("td"); td.appendChild(badge(e[2])); tr.appendChild(td);
      cell(tr, e[3].join(", "));
      cell(tr, (p.source || "") + (p.verified ? "" : " (not verified)"));
      t.appendChild(tr);
    });
    box.appendChild(t);
    return box;
  }
  function renderTable() {
    var table = $("ca-table");
    if (!table) { return; }
    var body = table.tBodies[0], frag = document.createDocumentFragment();
    filtered.slice(0, shown).forEach(function (r) {
      frag.appendChild(rowEl(r));
      if (r.i === openRow) {
        var tr = el("tr"), td = el("td", "ca-detail");
        td.colSpan = COLUMNS.length; td.appendChild(detail(r)); tr.appendChild(td);
        tr.setAttribute("data-detail", r.i); frag.appendChild(tr);
        frag.lastChild.previousSibling.className += " ca-open";
      }
    });
    body.textContent = "";
    body.appendChild(frag);
    var count = $("ca-count");
    count.textContent = "";
    count.setAttribute("data-matching", filtered.length);
    count.setAttribute("data-shown", Math.min(shown, filtered.length));
    text(count, "Showing " + Math.min(shown, filtered.length) + " of " + filtered.length +
      " matching findings (" + total + " in the report). Click a row for its evidence. ");
    if (!F.status.compliant && compliant) {
      var a = el("button", "ca-chip", "show the " + compliant + " compliant findings");
      a.type = "button";
      a.addEventListener("click", function () { document.querySelector('.ca-chip[data-status="compliant"]').click(); });
      count.appendChild(a);
    }
    var more = $("ca-more");
    more.style.display = filtered.length > shown ? "" : "none";
    more.textContent = "show " + Math.min(PAGE, filtered.length - shown) + " more";
  }

  // ---- map --------------------------------------------------------------------------------
  var M = null;
  function worst(a, b) { return a === undefined || RANK[b] < RANK[a] ? b : a; }
  function buildMap() {
    var map = $("ca-map");
    if (!map || !W || typeof d3 === "undefined" || typeof topojson === "undefined") { return; }
    var proj = d3.geoNaturalEarth1().fitExtent([[6, 6], [954, 484]], {type: "Sphere"});
    var path = d3.geoPath(proj);
    var byNum = {};
    Object.keys(D.countries).forEach(function (cc) { var n = D.countries[cc][1]; if (n) { byNum[n] = cc; } });
    var defs = svg("defs", {}, map);
    STATUSES.forEach(function (s) {
      var p = svg("pattern", {id: "ca-hatch-" + s, patternUnits: "userSpaceOnUse", width: 6, height: 6, patternTransform: "rotate(45)"}, defs);
      svg("rect", {width: 6, height: 6, fill: "#fff"}, p);
      svg("rect", {width: 3, height: 6, fill: COLOR[s]}, p);
      var mk = svg("marker", {id: "ca-arrow-" + s, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse"}, defs);
      svg("path", {d: "M0,0L10,5L0,10z", fill: COLOR[s]}, mk);
    });
    svg("path", {"class": "sphere", d: path({type: "Sphere"})}, map);
    svg("path", {"class": "grat", d: path(d3.geoGraticule10())}, map);
    var lands = svg("g", {}, map), over = svg("g", {}, map), dots = svg("g", {}, map), rings = svg("g", {}, map);
    var at = {}, shapes = {};
    topojson.feature(W, W.objects.countries).features.forEach(function (f) {
      var g = f.geometry, cc = byNum[f.id];
      var node = svg("path", {"class": "land", d: path(f), "data-name": f.properties.name}, lands);
      if (cc) { node.setAttribute("data-cc", cc); shapes[cc] = node; }
      if (g.type === "MultiPolygon") {
        g = g.coordinates.map(function (c) { return {type: "Polygon", coordinates: c}; })
          .reduce(function (x, y) { return d3.geoArea(y) > d3.geoArea(x) ? y : x; });
      }
      if (cc) { at[cc] = d3.geoCentroid(g); }
      node.addEventListener("mousemove", function (ev) { tip(ev, cc, f.properties.name); });
      node.addEventListener("mouseleave", untip);
      node.addEventListener("click", function () { if (cc) { choose(cc); } });
    });
    Object.keys(D.countries).forEach(function (cc) {
      var n = D.countries[cc][1];
      if (shapes[cc] || !n || !PTS[n]) { return; }
      at[cc] = PTS[n];
      var xy = proj(PTS[n]);
      var dot = svg("circle", {"class": "dot", cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: 7, "data-cc": cc}, dots);
      shapes[cc] = dot;
      var label = svg("text", {"class": "dotlabel", x: (xy[0] + 9).toFixed(1), y: (xy[1] + 4).toFixed(1), "data-for": cc}, dots);
      label.textContent = cc;
      dot.addEventListener("mousemove", function (ev) { tip(ev, cc, D.countries[cc][0]); });
      dot.addEventListener("mouseleave", untip);
      dot.addEventListener("click", function () { choose(cc); });
    });
    M = {svg: map, proj: proj, path: path, at: at, shapes: shapes, over: over, rings: rings, agg: {}};
  }
  // the rows the map draws: the table's, with the compliant ones the table folds by default
  function mapRows() {
    if (!hideCompliant || compliantChosen || F.status.compliant) { return filtered; }
    F.status.compliant = true;
    var out = rows.filter(keep);
    F.status.compliant = false;
    return out;
  }
  function aggregate() {
    var byV = {};
    mapRows().forEach(function (r) { byV[r.vi] = (byV[r.vi] || 0) + 1; });
    var agg = {}, flows = {}, ops = {}, offmap = 0;
    function A(cc) { return agg[cc] || (agg[cc] = {sure: {}, maybe: {}, copiesFrom: {}, ops: {}}); }
    Object.keys(byV).forEach(function (vi) {
      var v = V[vi], n = byV[vi], home = null, sure = {}, maybe = {};
      if (!v.countries.length) { offmap += n; }
      v.evidence.forEach(function (e) {
        var p = D.places[e[1]];
        if (e[0] === "location" && p.country) { home = p.country; }
        if (p.country) { sure[p.country] = 1; }
        p.countries.forEach(function (c) { sure[c] = 1; });
        p.candidates.forEach(function (c) { maybe[c] = 1; });
        if (p.operator_country && p.country) { A(p.country).ops[p.operator_country] = p.operator || p.operator_country; }
        if (e[0] === "operator" && e[2] !== "compliant" && p.operator_country && p.country && p.operator_country !== p.country) {
          var ok = p.operator_country + ">" + p.country;
          var o = ops[ok] || (ops[ok] = {op: p.operator_country, cc: p.country, n: 0, status: undefined, operator: p.operator});
          o.n += n; o.status = worst(o.status, v.status);
        }
      });
      Object.keys(sure).forEach(function (c) { var a = A(c); a.sure[v.status] = (a.sure[v.status] || 0) + n; });
      Object.keys(maybe).forEach(function (c) {
        if (!sure[c]) { var a = A(c); a.maybe[v.status] = (a.maybe[v.status] || 0) + n; }
      });
      if (!home) { return; }
      v.evidence.forEach(function (e) {
        var p = D.places[e[1]];
        if (e[0] !== "copy") { return; }
        (p.country ? [p.country] : p.countries).forEach(function (to) {
          if (to === home) { return; }
          var k = home + ">" + to;
          var fl = flows[k] || (flows[k] = {from: home, to: to, n: 0, status: undefined});
          fl.n += n; fl.status = worst(fl.status, v.status);
          A(to).copiesFrom[home] = (A(to).copiesFrom[home] || 0) + n;
        });
      });
    });
    return {agg: agg, flows: flows, ops: ops, offmap: offmap};
  }
  function worstOf(counts) {
    var w;
    Object.keys(counts).forEach(function (s) { w = worst(w, s); });
    return w;
  }
  function paintMap() {
    if (!M) { return; }
    var res = aggregate(), agg = res.agg;
    M.agg = agg;
    Object.keys(M.shapes).forEach(function (cc) {
      var node = M.shapes[cc], a = agg[cc], s = a && worstOf(a.sure), m = a && worstOf(a.maybe);
      node.style.fill = s ? COLOR[s] : m ? "url(#ca-hatch-" + m + ")" : "";
      if (s) { node.setAttribute("data-status", s); } else { node.removeAttribute("data-status"); }
      if (m) { node.setAttribute("data-maybe", m); } else { node.removeAttribute("data-maybe"); }
      node.classList.toggle("sel", cc === F.country);
      if (node.tagName === "circle") {
        node.style.display = node.nextSibling.style.display = s || m ? "" : "none";
      }
    });
    var over = M.over, rings = M.rings;
    over.textContent = ""; rings.textContent = "";
    Object.keys(res.flows).sort().forEach(function (k) {
      var fl = res.flows[k], a = M.at[fl.from], b = M.at[fl.to];
      if (!a || !b) { return; }
      svg("path", {"class": "flow", d: arc(M.proj(a), M.proj(b)), stroke: COLOR[fl.status],
        "stroke-width": (1.5 + Math.log(fl.n) * 0.8).toFixed(1), "marker-end": "url(#ca-arrow-" + fl.status + ")",
        "data-from": fl.from, "data-to": fl.to, "data-status": fl.status, "data-n": fl.n}, over);
    });
    Object.keys(res.ops).sort().forEach(function (k) {
      var o = res.ops[k], b = M.at[o.cc];
      if (!b) { return; }
      var xy = M.proj(b);
      svg("circle", {"class": "opring", cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: 10, "data-operator": o.op, "data-cc": o.cc}, rings);
      var t = svg("text", {"class": "oplabel", x: (xy[0] + 11).toFixed(1), y: (xy[1] - 8).toFixed(1)}, rings);
      t.textContent = "run from " + o.op;
      t.setAttribute("data-operator", o.op);
    });
    var off = $("ca-offmap");
    if (off) {
      var missing = Object.keys(agg).filter(function (cc) { return !M.at[cc]; }).map(cname);
      var bits = [];
      if (res.offmap) { bits.push(res.offmap + " of the matching findings are in places no country can be named for (unmapped or global locations): they are in the table, not on the map."); }
      if (missing.length) { bits.push("Not drawn (no geometry at this scale): " + missing.join(", ") + "."); }
      off.textContent = bits.join(" ");
    }
  }
  // a copy flow: a curve bent to the left of the straight line, so that A>B and B>A differ
  function arc(a, b) {
    var dx = b[0] - a[0], dy = b[1] - a[1], bend = 0.25;
    var cx = (a[0] + b[0]) / 2 + dy * bend, cy = (a[1] + b[1]) / 2 - dx * bend;
    return "M" + a[0].toFixed(1) + "," + a[1].toFixed(1) + "Q" + cx.toFixed(1) + "," + cy.toFixed(1) + " " + b[0].toFixed(1) + "," + b[1].toFixed(1);
  }
  function counts(c) {
    return STATUSES.filter(function (s) { return c[s]; }).map(function (s) { return c[s] + " " + s; }).join(", ");
  }
  function tip(ev, cc, name) {
    var t = $("ca-tip"), box = t.parentNode.getBoundingClientRect(), a = cc && M.agg[cc];
    t.textContent = "";
    t.appendChild(el("b", null, cc ? cname(cc) : name));
    if (!a) { t.appendChild(el("div", "muted", "no matching findings")); } else {
      if (Object.keys(a.sure).length) { t.appendChild(el("div", null, "data here: " + counts(a.sure))); }
      if (Object.keys(a.maybe).length) { t.appendChild(el("div", null, "may be here (multi-region, members not published): " + counts(a.maybe))); }
      var from = Object.keys(a.copiesFrom);
      if (from.length) { t.appendChild(el("div", null, "copies from: " + from.map(function (f) { return f + " (" + a.copiesFrom[f] + ")"; }).join(", "))); }
      var ops = Object.keys(a.ops);
      if (ops.length) { t.appendChild(el("div", null, "operators under: " + ops.map(function (o) { return o + " (" + a.ops[o] + ")"; }).join(", "))); }
      t.appendChild(el("div", "muted", "click to list and filter"));
    }
    t.style.display = "block";
    t.style.left = Math.min(ev.clientX - box.left + 14, box.width - 200) + "px";
    t.style.top = (ev.clientY - box.top + 14) + "px";
  }
  function untip() { var t = $("ca-tip"); if (t) { t.style.display = "none"; } }
  function choose(cc) {
    var next = F.country === cc ? "" : cc;
    setCountry(next);
    var panel = $("ca-country");
    if (!panel) { return; }
    panel.textContent = "";
    panel.style.display = next ? "block" : "none";
    if (!next) { return; }
    var list = filtered;
    panel.appendChild(el("b", null, cname(next) + ": " + list.length + " matching findings"));
    var ul = el("ul");
    list.slice(0, 30).forEach(function (r) {
      var li = el("li"), roles = [];
      r.v.evidence.forEach(function (e) {
        var p = D.places[e[1]];
        if (p.country === next || p.countries.indexOf(next) >= 0) { roles.push(e[0] === "copy" ? "copy here" : "here"); }
        else if (p.candidates.indexOf(next) >= 0) { roles.push("may be here"); }
        if (e[0] === "operator" && p.operator_country === next) { roles.push("operator under " + next); }
      });
      li.appendChild(badge(r.v.status));
      text(li, " " + r.type + " " + r.name + " \u2013 " + r.v.location + " \u2013 " + roles.filter(function (x, i, a) { return a.indexOf(x) === i; }).join(", "));
      ul.appendChild(li);
    });
    panel.appendChild(ul);
    if (list.length > 30) { panel.appendChild(el("div", "muted", "\u2026 and " + (list.length - 30) + " more in the table below")); }
  }

  buildControls();
  renderHead();
  var moreBtn = $("ca-more");
  if (moreBtn) { moreBtn.addEventListener("click", function () { shown += PAGE; renderTable(); }); }
  buildMap();
  apply();
  document.documentElement.setAttribute("data-ca-ready", "1");
})();
