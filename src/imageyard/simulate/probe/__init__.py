"""``imageyard probe``: perform the boot path ``paths`` predicts, for real, and time it.

* ``decide`` — the consumer (a nova.conf or a Cinder backend of the snapshot) and the image,
  and the ``Verdict`` ``audit.cow.boot_path`` gives for them;
* ``ops`` — the steps: an RBD clone (Ceph's bindings, as the consumer's cephx user), a
  Glance download, ``qemu-img convert``, ``rbd import``, a Glance copy-image;
* ``run`` — the steps of a path, timed, under scratch names, cleaned up on every exit
  (SIGINT and SIGTERM included);
* ``render`` — the result as a table or JSON (the JSON feeds ``simulate cache --probe-results``).
"""
