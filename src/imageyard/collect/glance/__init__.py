"""The Glance API source: a live collector over the shared OpenStack HTTP seam.

Concepts: ``GlanceCollector`` reads images (every project, every status, hidden ones too),
their stores, locations and members, the store details, the import methods and each
node's image cache, converting everything to the model as it arrives. It talks to Glance
only through ``JsonHttp`` (JSON GETs, ``imageyard.collect.openstack``); ``glance_http``
builds one over openstacksdk (clouds.yaml, ``OS_*``, Keystone, or a bare endpoint without
Keystone) with bounded retries.
"""

from imageyard.collect.glance.collector import GlanceCollector
from imageyard.collect.glance.http import glance_http

__all__ = ["GlanceCollector", "glance_http"]
