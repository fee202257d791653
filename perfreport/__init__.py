"""perfreport: a YAML data file per budget unit -> a finished 预算绩效自评报告 (.docx).

>>> import perfreport
>>> report = perfreport.load("examples/shuren-2023.yaml")      # doctest: +SKIP
>>> perfreport.render(report, "shuren-2023.docx")               # doctest: +SKIP

The public API is exactly ``__all__``; names are imported on first use so that
``perfreport --version`` starts fast.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "load",
    "render",
    "Report",
    "PerfReportError",
    "DataError",
    "TemplateError",
    "OutputError",
    "Problem",
    "Location",
    "__version__",
]

_HOMES = {
    "load": "api",
    "render": "api",
    "Report": "api",
    "PerfReportError": "errors",
    "DataError": "errors",
    "TemplateError": "errors",
    "OutputError": "errors",
    "Problem": "errors",
    "Location": "errors",
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'perfreport' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
