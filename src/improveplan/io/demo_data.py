"""The bundled demo plan (`data/demo_plan.json`, shipped inside the wheel).

Its shape is the one `services.demo` builds the Peterborough plan from: the inspection
and Ofsted's recommendations as published, then invented people, themes and actions.
Parsed JSON stays a mapping at this edge; the services turn it into typed writes.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def load() -> dict[str, Any]:
    """The demo plan's data as parsed JSON."""
    text = resources.files("improveplan.data").joinpath("demo_plan.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
