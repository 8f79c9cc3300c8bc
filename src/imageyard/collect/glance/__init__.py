"""The Glance API source: a live collector over a small HTTP seam.

Concepts: ``GlanceCollector`` reads images (every project, every status, hidden ones too),
their stores, locations and members, the store details, the import methods and each
node's image cache, converting everything to the model as it arrives. It talks to Glance
only through ``GlanceHttp`` (JSON GETs); ``SdkGlanceHttp`` implements it over openstacksdk
(clouds.yaml, ``OS_*``, Keystone, or a bare endpoint without Keystone) with bounded retries.
"""

from imageyard.collect.glance.collector import GlanceCollector
from imageyard.collect.glance.http import GlanceHttp, GlanceHttpError, RetryPolicy, SdkGlanceHttp

__all__ = ["GlanceCollector", "GlanceHttp", "GlanceHttpError", "RetryPolicy", "SdkGlanceHttp"]
