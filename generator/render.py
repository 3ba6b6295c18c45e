"""Render compiled plans to Apex source with Jinja2, refusing any value that is not safe.

The environment has autoescape off (Apex is not HTML) and ``StrictUndefined``. Its
``finalize`` hook is the safety net: a ``{{ ... }}`` may only print :class:`Apex` fragments
(escaped literals and validated identifiers made by ``compile``), ``int`` and ``bool``.
A plain ``str`` reaching a template is a bug in stepforce and fails the render, so spec text
can never be pasted into code unescaped.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from stepforce.generator.apex_text import Apex, apex_string
from stepforce.generator.plan_view import PartView, PlanView

TEMPLATES = Path(__file__).resolve().parent / "apex_templates"


class UnsafeRenderError(RuntimeError):
    """A template tried to print a value that was neither escaped nor validated."""


def _finalize(value: object) -> str:
    if isinstance(value, Apex):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    raise UnsafeRenderError(f"refusing to print an unescaped {type(value).__name__}: {value!r}")


def _comma(loop: jinja2.runtime.LoopContext) -> Apex:
    """A separator between the items of an Apex list or map initialiser."""
    return Apex("" if loop.last else ",")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - Apex, not HTML: every value is escaped by _finalize's rules
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters["apex_string"] = apex_string
    env.filters["comma"] = _comma
    return env


def render(template: str, view: PlanView, part: PartView | None = None) -> str:
    return environment().get_template(template).render(v=view, p=part)


def render_plan(view: PlanView) -> dict[str, str]:
    """File name -> Apex source for one orchestration: the plan and its tests (plus, for a
    split plan, each part class and its tests) and the optional schedule script."""
    split = bool(view.parts)
    files = {
        f"{view.class_name}.cls": render("plan_split.cls.j2" if split else "plan.cls.j2", view),
        f"{view.test_class_name}.cls": render(
            "plan_split_tests.cls.j2" if split else "plan_tests.cls.j2", view
        ),
    }
    for part in view.parts:
        files[f"{part.class_name}.cls"] = render("plan_part.cls.j2", view, part)
        files[f"{part.test_class_name}.cls"] = render("plan_part_tests.cls.j2", view, part)
    if view.cron is not None:
        files[f"schedule_{view.orchestration_id}.apex"] = render("schedule.apex.j2", view)
    return files
