/* imageyard report: pages, sorts and filters the rows embedded in the page (no network).
   The rows are blocks of JSON, each in its own <script data-rows> element, compressed
   (data-enc="deflate": zlib in base64) or plain; repeated words are indices into the
   tables of #report-data. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("report-data").textContent);
  var PAGE = 100;

  function fromBase64(text) {
    if (Uint8Array.fromBase64) { return Uint8Array.fromBase64(text); }
    var bin = atob(text), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i += 1) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  function block(el) {
    if (el.getAttribute("data-enc") !== "deflate") {
      return Promise.resolve(JSON.parse(el.textContent));
    }
    var bytes = new Blob([fromBase64(el.textContent)]).stream();
    return new Response(bytes.pipeThrough(new DecompressionStream("deflate"))).text()
      .then(JSON.parse);
  }

  function rowsOf(key) {
    var els = document.querySelectorAll("script[data-rows='" + key + "']");
    return Promise.all(Array.prototype.map.call(els, block)).then(function (parts) {
      return [].concat.apply([], parts);
    });
  }

  function bytes(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return i === 0 ? n + " B" : n.toFixed(1) + " " + units[i];
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    return String(a).localeCompare(String(b));
  }

  function Grid(opts) {
    this.o = opts;
    this.rows = opts.rows;
    this.hay = opts.rows.map(function (r) { return opts.text(r).toLowerCase(); });
    this.view = opts.rows.map(function (_, i) { return i; });
    this.page = 0;
    this.sortCol = null;
    this.sortDir = 1;
    var self = this;
    opts.filter.addEventListener("input", function () { self.refilter(); });
    if (opts.extra) { opts.extra.addEventListener("change", function () { self.refilter(); }); }
    opts.table.querySelectorAll("th").forEach(function (th) {
      th.addEventListener("click", function () { self.sortBy(th); });
    });
    this.draw();
  }

  Grid.prototype.refilter = function () {
    var words = this.o.filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var extra = this.o.extra ? this.o.extra.value : "";
    var out = [], hay = this.hay, rows = this.rows, keep = this.o.keep;
    for (var i = 0; i < rows.length; i += 1) {
      var ok = !extra || keep(rows[i], extra);
      for (var w = 0; ok && w < words.length; w += 1) { ok = hay[i].indexOf(words[w]) >= 0; }
      if (ok) { out.push(i); }
    }
    this.view = out;
    this.applySort();
    this.page = 0;
    this.draw();
  };

  Grid.prototype.sortBy = function (th) {
    var col = th.getAttribute("data-col");
    this.sortDir = this.sortCol === col ? -this.sortDir : 1;
    this.sortCol = col;
    this.o.table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", this.sortDir > 0 ? "ascending" : "descending");
    this.applySort();
    this.page = 0;
    this.draw();
  };

  Grid.prototype.applySort = function () {
    if (this.sortCol === null) { return; }
    var rows = this.rows, order = this.o.order, col = this.sortCol, dir = this.sortDir;
    this.view.sort(function (a, b) {
      return dir * compare(order(rows[a], col), order(rows[b], col)) || a - b;
    });
  };

  Grid.prototype.draw = function () {
    var body = this.o.table.tBodies[0], self = this;
    body.textContent = "";
    var start = this.page * PAGE, end = Math.min(start + PAGE, this.view.length);
    for (var i = start; i < end; i += 1) {
      var row = this.rows[this.view[i]], tr = document.createElement("tr");
      this.o.cells(row).forEach(function (text) {
        var td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      if (this.o.rowClass) { tr.className = this.o.rowClass(row); }
      if (this.o.onClick) { tr.addEventListener("click", this.o.onClick.bind(null, row)); }
      body.appendChild(tr);
    }
    this.o.count.textContent = this.view.length + " of " + this.rows.length;
    this.drawPager();
  };

  Grid.prototype.drawPager = function () {
    var pager = this.o.pager, self = this, pages = Math.max(1, Math.ceil(this.view.length / PAGE));
    pager.textContent = "";
    function button(label, page, disabled) {
      var b = document.createElement("button");
      b.textContent = label;
      b.disabled = disabled;
      b.addEventListener("click", function () { self.page = page; self.draw(); });
      pager.appendChild(b);
    }
    button("«", 0, this.page === 0);
    button("‹", this.page - 1, this.page === 0);
    pager.appendChild(document.createTextNode(" page " + (this.page + 1) + " of " + pages + " "));
    button("›", this.page + 1, this.page >= pages - 1);
    button("»", pages - 1, this.page >= pages - 1);
  };

  function detail(row) {
    var box = document.getElementById("image-detail");
    box.hidden = false;
    box.textContent = "";
    function line(label, values) {
      var h = document.createElement("h4"), ul = document.createElement("ul");
      h.textContent = label;
      (values.length ? values : ["none"]).forEach(function (v) {
        var li = document.createElement("li");
        li.textContent = v;
        ul.appendChild(li);
      });
      box.appendChild(h);
      box.appendChild(ul);
    }
    var title = document.createElement("h3");
    title.textContent = (row[1] || "(no name)") + " — " + row[0];
    box.appendChild(title);
    line("Stores", row[5]);
    line("Locations", row[6]);
    var shown = paths(row);
    line("Path per consumer", DATA.consumers.map(function (c, k) { return c + ": " + shown[k]; }));
    line("Pins", row[8]);
  }

  var ORDER = {"0": 0, "2": 1, "3": 2, "4": 3};

  function findings(rows) {
    var sev = DATA.severities, rules = DATA.rules, st = DATA.statuses, from = DATA.origins;
    function cells(r) { return [sev[r[0]], rules[r[1]], r[2], r[3], st[r[4]], from[r[5]]]; }
    return new Grid({
      rows: rows,
      table: document.getElementById("findings-table"),
      filter: document.getElementById("findings-filter"),
      extra: document.getElementById("findings-severity"),
      keep: function (r, name) { return sev[r[0]] === name; },
      count: document.getElementById("findings-count"),
      pager: document.getElementById("findings-pager"),
      text: function (r) { return cells(r).join(" "); },
      // NOTE: a header's data-col is its column (severity sorts by rank, a rule by its
      // index into the sorted ids, status and origin by name)
      order: function (r, col) {
        return col === "5" ? st[r[4]] : col === "6" ? from[r[5]] : r[ORDER[col]];
      },
      cells: cells,
      rowClass: function (r) { return "sev-" + sev[r[0]]; }
    });
  }

  function paths(r) {
    return DATA.consumers.map(function (_, k) { return DATA.paths[r[7][k]] || "-"; });
  }

  function images(rows) {
    return new Grid({
      rows: rows,
      table: document.getElementById("images-table"),
      filter: document.getElementById("images-filter"),
      count: document.getElementById("images-count"),
      pager: document.getElementById("images-pager"),
      text: function (r) { return [r[0], r[1], r[2], r[3], r[5].join(" ")].join(" "); },
      order: function (r, col) {
        if (col.indexOf("path-") === 0) { return DATA.paths[r[7][Number(col.slice(5))]] || ""; }
        return col === "5" ? r[5].join(",") : r[Number(col)];
      },
      cells: function (r) {
        return [r[1], r[0], r[2], r[3], bytes(r[4]), r[5].join(", ")].concat(paths(r));
      },
      onClick: detail
    });
  }

  Promise.all([rowsOf("findings"), rowsOf("images")]).then(function (got) {
    findings(got[0]);
    images(got[1]);
    document.body.setAttribute("data-ready", "1");
  }).catch(function (err) { console.error("imageyard report: " + err); });
}());
