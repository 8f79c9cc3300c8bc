"""glance-image-import.conf: import plugins, image conversion and web-download filtering."""

from __future__ import annotations

from imageyard.collect.configs._common import Parsed, choice_problem, problems
from imageyard.collect.ini import IniDocument
from imageyard.model.config import GlanceImportConfig, ValueKind

_FILTER = "import_filtering_opts"
_INJECT = "inject_metadata_properties"


def parse(doc: IniDocument) -> Parsed:
    """Build the ``GlanceImportConfig`` view of one glance-image-import.conf."""
    view = GlanceImportConfig(
        path=doc.path,
        image_import_plugins=doc.get("image_import_opts", "image_import_plugins"),
        max_parallel_stores=doc.get("image_import_opts", "max_parallel_stores"),
        output_format=doc.get("image_conversion", "output_format"),
        inject_properties=doc.get(_INJECT, "inject"),
        inject_ignore_user_roles=doc.get(_INJECT, "ignore_user_roles"),
        allowed_schemes=doc.get(_FILTER, "allowed_schemes"),
        disallowed_schemes=doc.get(_FILTER, "disallowed_schemes"),
        allowed_hosts=doc.get(_FILTER, "allowed_hosts"),
        disallowed_hosts=doc.get(_FILTER, "disallowed_hosts"),
        allowed_ports=doc.get(_FILTER, "allowed_ports"),
        disallowed_ports=doc.get(_FILTER, "disallowed_ports"),
    )
    warnings = problems([(view.max_parallel_stores, ValueKind.INT)])
    warnings += choice_problem(view.output_format, ("qcow2", "raw", "vmdk"))
    return Parsed(view, warnings)
