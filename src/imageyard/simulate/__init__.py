"""Simulate stage: boot traces replayed against models of the image caches.

* ``trace`` — the ``Trace`` (integer-coded events) and its builder;
* ``tracefile`` — the CSV form of a trace (read and write);
* ``generate`` — synthetic traces (Zipf popularity, golden-image refresh, CI bursts);
* ``glance_cache``, ``nova_base``, ``cinder_cache`` — one cache model each;
* ``search`` — the smallest setting reaching a target hit rate;
* ``estimate`` — boot-time estimates from measured throughputs.
"""
