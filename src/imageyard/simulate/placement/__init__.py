"""``simulate placement``: store layouts compared on monthly cost and boot time over a trace.

* ``costs`` — the cost model (price per GiB-month and throughput per store), its YAML form;
* ``load`` — what the trace asks of each image: its size and its boots per site;
* ``distribution`` — boot times as weighted values, nearest-rank percentiles;
* ``layouts`` — all-Ceph, the hot/cold split (every threshold) and per-site replicas;
* ``render`` — table, Markdown and JSON (``imageyard-simulate-placement/1``);
* ``plot`` — monthly cost against p95 boot time as SVG (and PNG with Pillow).
"""
