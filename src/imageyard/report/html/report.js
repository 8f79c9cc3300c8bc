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

  /* The blocks of one kind of row: the first decoded at once, all of them on demand. */
  function Blocks(key) {
    this.els = Array.prototype.slice.call(
      document.querySelectorAll("script[data-rows='" + key + "']"));
    this.done = {};
    this.whole = null;
  }

  Blocks.prototype.get = function (n) {
    if (!this.done[n]) { this.done[n] = n < this.els.length ? block(this.els[n]) : Promise.resolve([]); }
    return this.done[n];
  };

  /* Every block, decoded one after the other (one inflating at a time), joined. */
  Blocks.prototype.all = function () {
    var self = this, got = [];
    function next(n) {
      if (n >= self.els.length) { return [].concat.apply([], got); }
      return self.get(n).then(function (rows) { got.push(rows); return next(n + 1); });
    }
    if (!this.whole) { this.whole = Promise.resolve(0).then(next); }
    return this.whole;
  };

  function bytes(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return i === 0 ? n + " B" : n.toFixed(1) + " " + units[i];
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    return String(a).localeCompare(String(b));
  }

  /* A paged, sortable, filterable table. It starts with the first block of rows (the first
     pages in the page's own order); filtering, sorting and paging further wait for every
     block (decoded once), and the filter's texts are made the first time it is used. */
  function Grid(opts, first) {
    this.o = opts;
    this.rows = first;
    this.complete = opts.blocks.els.length <= 1;
    this.hay = null;
    this.view = first.map(function (_, i) { return i; });
    this.page = 0;
    this.sortCol = null;
    this.sortDir = 1;
    var self = this;
    opts.filter.addEventListener("input", function () { self.whenAll(self.refilter); });
    if (opts.extra) {
      opts.extra.addEventListener("change", function () { self.whenAll(self.refilter); });
    }
    opts.table.querySelectorAll("th").forEach(function (th) {
      th.addEventListener("click", function () { self.whenAll(function () { self.sortBy(th); }); });
    });
    this.draw();
  }

  Grid.prototype.whenAll = function (fn) {
    var self = this;
    if (this.complete) { fn.call(this); return; }
    this.o.blocks.all().then(function (rows) {
      if (!self.complete) {
        self.rows = rows;
        self.view = rows.map(function (_, i) { return i; });
        self.complete = true;
      }
      fn.call(self);
    }).catch(function (err) { console.error("imageyard report: " + err); });
  };

  Grid.prototype.refilter = function () {
    var words = this.o.filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var extra = this.o.extra ? this.o.extra.value : "";
    var text = this.o.text;
    if (!this.hay) { this.hay = this.rows.map(function (r) { return text(r).toLowerCase(); }); }
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
      if (this.o.onClick) { tr.addEventListener("click", this.o.onClick.bind(null, row, this.view[i])); }
      body.appendChild(tr);
    }
    this.o.count.textContent = this.shown() + " of " + this.o.total;
    this.drawPager();
  };

  Grid.prototype.shown = function () {
    return this.complete ? this.view.length : this.o.total;
  };

  Grid.prototype.drawPager = function () {
    var pager = this.o.pager, self = this, pages = Math.max(1, Math.ceil(this.shown() / PAGE));
    pager.textContent = "";
    function button(label, page, disabled) {
      var b = document.createElement("button");
      b.textContent = label;
      b.disabled = disabled;
      b.addEventListener("click", function () {
        if (self.complete || (page + 1) * PAGE <= self.rows.length) { self.page = page; self.draw(); return; }
        self.whenAll(function () { self.page = page; self.draw(); });
      });
      pager.appendChild(b);
    }
    button("«", 0, this.page === 0);
    button("‹", this.page - 1, this.page === 0);
    pager.appendChild(document.createTextNode(" page " + (this.page + 1) + " of " + pages + " "));
    button("›", this.page + 1, this.page >= pages - 1);
    button("»", pages - 1, this.page >= pages - 1);
  };

  var BLOCKS = {
    findings: new Blocks("findings"), images: new Blocks("images"), details: new Blocks("details")
  };

  function listed(box, label, values) {
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

  /* An image's detail: its row at once, its locations and pins (the "details" block of the
     same index, decoded when first needed) after. */
  function detail(row, index) {
    var box = document.getElementById("image-detail"), more = document.createElement("div");
    box.hidden = false;
    box.textContent = "";
    var title = document.createElement("h3");
    title.textContent = (row[1] || "(no name)") + " — " + row[0];
    box.appendChild(title);
    listed(box, "Stores", row[5]);
    var shown = paths(row);
    listed(box, "Path per consumer", DATA.consumers.map(function (c, k) { return c + ": " + shown[k]; }));
    box.appendChild(more);
    BLOCKS.details.get(Math.floor(index / DATA.block)).then(function (rows) {
      var d = rows[index % DATA.block];
      listed(more, "Locations", d[0]);
      listed(more, "Pins", d[1]);
    }).catch(function (err) { console.error("imageyard report: " + err); });
  }

  var ORDER = {"0": 0, "2": 1, "3": 2, "4": 3};

  function findings(rows) {
    var sev = DATA.severities, rules = DATA.rules, st = DATA.statuses, from = DATA.origins;
    function cells(r) { return [sev[r[0]], rules[r[1]], r[2], r[3], st[r[4]], from[r[5]]]; }
    return new Grid({
      blocks: BLOCKS.findings,
      total: DATA.counts.findings,
      table: document.getElementById("findings-table"),
      filter: document.getElementById("findings-filter"),
      extra: document.getElementById("findings-severity"),
      keep: function (r, name) { return sev[r[0]] === name; },
      count: document.getElementById("findings-count"),
      pager: document.getElementById("findings-pager"),
      text: function (r) {
        return sev[r[0]] + " " + rules[r[1]] + " " + r[2] + " " + r[3] + " " + st[r[4]] + " " +
          from[r[5]];
      },
      // NOTE: a header's data-col is its column (severity sorts by rank, a rule by its
      // index into the sorted ids, status and origin by name)
      order: function (r, col) {
        return col === "5" ? st[r[4]] : col === "6" ? from[r[5]] : r[ORDER[col]];
      },
      cells: cells,
      rowClass: function (r) { return "sev-" + sev[r[0]]; }
    }, rows);
  }

  function paths(r) {
    return DATA.consumers.map(function (_, k) { return DATA.paths[r[6][k]] || "-"; });
  }

  function images(rows) {
    return new Grid({
      blocks: BLOCKS.images,
      total: DATA.counts.images,
      table: document.getElementById("images-table"),
      filter: document.getElementById("images-filter"),
      count: document.getElementById("images-count"),
      pager: document.getElementById("images-pager"),
      text: function (r) { return r[0] + " " + r[1] + " " + r[2] + " " + r[3] + " " + r[5].join(" "); },
      order: function (r, col) {
        if (col.indexOf("path-") === 0) { return DATA.paths[r[6][Number(col.slice(5))]] || ""; }
        return col === "5" ? r[5].join(",") : r[Number(col)];
      },
      cells: function (r) {
        return [r[1], r[0], r[2], r[3], bytes(r[4]), r[5].join(", ")].concat(paths(r));
      },
      onClick: detail
    }, rows);
  }

  // NOTE: the first page of each table is drawn from its first block; the other blocks are
  // decoded right after, so a filter typed a moment later seldom waits
  Promise.all([BLOCKS.findings.get(0), BLOCKS.images.get(0)]).then(function (got) {
    findings(got[0]);
    images(got[1]);
    document.body.setAttribute("data-ready", "1");
    setTimeout(function () { BLOCKS.images.all(); BLOCKS.findings.all(); }, 0);
  }).catch(function (err) { console.error("imageyard report: " + err); });
}());
