/* imageyard report: pages, sorts and filters the rows embedded as JSON (no network). */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("report-data").textContent);
  var PAGE = 100;

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
    line("Path per consumer", DATA.consumers.map(function (c, k) { return c + ": " + (row[7][k] || "-"); }));
    line("Pins", row[8]);
  }

  new Grid({
    rows: DATA.findings,
    table: document.getElementById("findings-table"),
    filter: document.getElementById("findings-filter"),
    extra: document.getElementById("findings-severity"),
    keep: function (r, sev) { return r[1] === sev; },
    count: document.getElementById("findings-count"),
    pager: document.getElementById("findings-pager"),
    text: function (r) { return [r[1], r[2], r[3], r[4], r[5], r[6]].join(" "); },
    order: function (r, col) { return r[Number(col)]; },
    cells: function (r) { return [r[1], r[2], r[3], r[4], r[5], r[6]]; },
    rowClass: function (r) { return "sev-" + r[1]; }
  });

  new Grid({
    rows: DATA.images,
    table: document.getElementById("images-table"),
    filter: document.getElementById("images-filter"),
    count: document.getElementById("images-count"),
    pager: document.getElementById("images-pager"),
    text: function (r) { return [r[0], r[1], r[2], r[3], r[5].join(" ")].join(" "); },
    order: function (r, col) {
      if (col.indexOf("path-") === 0) { return r[7][Number(col.slice(5))] || ""; }
      return col === "5" ? r[5].join(",") : r[Number(col)];
    },
    cells: function (r) {
      return [r[1], r[0], r[2], r[3], bytes(r[4]), r[5].join(", ")].concat(
        DATA.consumers.map(function (_, k) { return r[7][k] || "-"; }));
    },
    onClick: detail
  });
  document.body.setAttribute("data-ready", "1");
}());
