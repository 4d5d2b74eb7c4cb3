"""The metric names that CNOP's dashboards and alert rules ask Prometheus for.

`metric_names` reads them out of a PromQL expression: it drops string literals, label
matchers, ranges, the label lists of `by`/`without`/`on`/`ignoring`/`group_*`, Grafana
variables, numbers, keywords and every identifier that is called like a function, and
keeps what is left: the series names. `prometheus_expressions` collects every PromQL
expression of the dashboards (panel targets and variable queries on a Prometheus data
source) and of the alert rules, so a test can compare them with what the processes export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

CHART = Path(__file__).resolve().parent.parent / "charts" / "cnop"
DASHBOARDS = CHART / "dashboards"
RULES = CHART / "rules"

# Series that Prometheus makes itself for every target; no process exports them.
PROMETHEUS_SERIES = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_LABEL_LIST = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_VARIABLE = re.compile(r"\$\{[^}]*\}|\$\w+")
_IDENTIFIER = re.compile(r"(?<![\w.:])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?")
_LABEL_VALUES = re.compile(r"^\s*label_values\s*\((.*)\)\s*$", re.DOTALL)
KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
     "unless", "offset", "atan2", "inf", "nan", "start", "end"}
)  # fmt: skip


def metric_names(expression: str) -> set[str]:
    """The series names an expression selects (`x_bucket` stays `x_bucket`)."""
    text = _STRING.sub('""', expression)
    text = _MATCHERS.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _LABEL_LIST.sub(" ", text)
    text = _VARIABLE.sub(" ", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        name, called = match.group(1), match.group(2)
        if called or name.lower() in KEYWORDS:
            continue
        names.add(name)
    return names


def variable_query_names(query: str) -> set[str]:
    """The series names of a Grafana variable query: `label_values(series, label)`."""
    found = _LABEL_VALUES.match(query)
    if found is None:
        return metric_names(query)  # a plain PromQL query
    arguments = found.group(1)
    if "," not in _STRING.sub('""', _MATCHERS.sub("", arguments)):
        return set()  # label_values(label): no series
    series = arguments[: arguments.rfind(",")]
    return metric_names(series)


def histogram_family(name: str) -> str | None:
    """`x` for `x_bucket`, `x_count` or `x_sum`; None for any other name."""
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return None


def dashboards() -> dict[str, dict[str, Any]]:
    """Every dashboard of the chart, by file name."""
    return {path.name: json.loads(path.read_text()) for path in sorted(DASHBOARDS.glob("*.json"))}


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, including those inside rows."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def _is_prometheus(datasource: Any) -> bool:
    return isinstance(datasource, dict) and datasource.get("type") == "prometheus"


def dashboard_expressions() -> Iterator[tuple[str, str, bool]]:
    """(where, expression, is a variable query) of every Prometheus query of a dashboard."""
    for file, dashboard in dashboards().items():
        for panel in panels(dashboard):
            for target in panel.get("targets", []):
                if _is_prometheus(target.get("datasource", panel.get("datasource"))):
                    yield f"{file}: {panel['title']}", target["expr"], False
        for variable in dashboard["templating"]["list"]:
            if variable["type"] == "query" and _is_prometheus(variable.get("datasource")):
                yield f"{file}: ${variable['name']}", variable["definition"], True


def rule_expressions() -> Iterator[tuple[str, str, bool]]:
    """(where, expression, False) of every alert and recording rule."""
    for path in sorted(RULES.glob("*.yaml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                name = rule.get("alert") or rule.get("record")
                yield f"{path.name}: {name}", rule["expr"], False


def prometheus_names() -> dict[str, set[str]]:
    """Every series name that a dashboard or an alert asks for, with where it is used."""
    used: dict[str, set[str]] = {}
    for where, expression, is_variable in [*dashboard_expressions(), *rule_expressions()]:
        names = variable_query_names(expression) if is_variable else metric_names(expression)
        for name in names:
            used.setdefault(name, set()).add(where)
    return used
