"""What ``generate`` records for ``deploy``: schedules, schedules dropped, plans removed; and
the one job-naming rule of the generated schedule script."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from stepforce.cli.generate_cmd import generate_command
from stepforce.deploy_plan import DeployPlan, PlannedSchedule, next_plan, schedule_job_name
from stepforce.generator.generate import generate
from stepforce.generator.writer import MANIFEST, read_deploy_plan
from stepforce.runtime_client.schedule import schedule_body
from tests.generate.conftest import write_spec

SPEC = """\
orchestration: {name}
description: A one-step orchestration.
inputs:
  days: {{type: Number, required: true}}
steps:
  - name: Purge
    apex: Purger
    inputs: {{days: $input.days}}
{schedule}"""
NIGHTLY = "schedule:\n  cron: '0 30 1 ? * MON-SAT'\n  inputs: {days: 180}\n"


def _spec(folder: Path, name: str, schedule: str = "") -> Path:
    return write_spec(folder, f"{name.lower()}.yaml", SPEC.format(name=name, schedule=schedule))


def test_generate_records_each_schedule_and_says_deploy_will_schedule_it(tmp_path: Path) -> None:
    specs = [_spec(tmp_path / "specs", "Nightly", NIGHTLY), _spec(tmp_path / "specs", "Daily")]
    out = tmp_path / "out"
    result = CliRunner().invoke(generate_command, [*map(str, specs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        "schedule: wrote scripts/apex/schedule_Nightly.apex; `stepforce deploy` schedules "
        "'Stepforce Nightly' (0 30 1 ? * MON-SAT)"
    ) in result.output
    plan = read_deploy_plan(out)
    assert plan.schedules == (PlannedSchedule("Nightly", "0 30 1 ? * MON-SAT", {"days": 180}),)
    assert plan.orchestrations == ("Daily", "Nightly")
    script = (out / "scripts/apex/schedule_Nightly.apex").read_text(encoding="utf-8")
    assert "SfPlan_" not in script  # literals only, no plan class constant
    assert "  '0 30 1 ? * MON-SAT',\n  'Nightly',\n  '{\"days\":180}'\n" in script
    # The script names the job by the same rule as deploy and `stepforce schedule`.
    assert f"  '{schedule_job_name('Nightly')}',\n" in script
    assert schedule_body(schedule_job_name("Nightly"), "c", "Nightly", {}).startswith(
        "StepforceScheduledStart.schedule('Stepforce Nightly', "
    )


def test_removing_a_spec_unschedules_it_and_records_it_as_removed(tmp_path: Path) -> None:
    nightly = _spec(tmp_path / "specs", "Nightly", NIGHTLY)
    daily = _spec(tmp_path / "specs", "Daily")
    out = tmp_path / "out"
    generate([nightly, daily], out, source_dirs=[])
    result = CliRunner().invoke(generate_command, [str(daily), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        "removed orchestration Nightly: its plan stays in an org (and Nightly stays startable) "
        "until `stepforce deploy --delete-removed`"
    ) in result.output
    assert "unschedules Nightly's job" in result.output
    plan = read_deploy_plan(out)
    assert plan.orchestrations == ("Daily",)
    assert plan.removed == ("Nightly",)
    assert plan.owned == {"Daily", "Nightly"}, "deploy still prunes the removed one's versions"
    assert plan.unscheduled == ("Nightly",)
    # A second run without it keeps both: every org the project is deployed to needs them.
    generate([daily], out, source_dirs=[])
    again = read_deploy_plan(out)
    assert (again.unscheduled, again.removed) == (("Nightly",), ("Nightly",))
    # Back with its schedule: nothing removed, nothing to unschedule.
    generate([nightly, daily], out, source_dirs=[])
    back = read_deploy_plan(out)
    assert back.removed == ()
    assert back.unscheduled == ()
    assert json.loads((out / MANIFEST).read_text())["deploy"]["removed"] == []


def test_dropping_a_schedule_from_a_spec_unschedules_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate([_spec(tmp_path / "a", "Nightly", NIGHTLY)], out, source_dirs=[])
    generate([_spec(tmp_path / "b", "Nightly")], out, source_dirs=[])
    plan = read_deploy_plan(out)
    assert plan.schedules == ()
    assert plan.unscheduled == ("Nightly",)
    assert plan.removed == ()


def test_the_plan_survives_the_manifest_and_odd_sections_read_as_empty() -> None:
    plan = next_plan(DeployPlan(orchestrations=("Old", "Daily")), ("Daily",), ())
    assert plan == DeployPlan(orchestrations=("Daily",), removed=("Old",))
    assert DeployPlan.from_json(plan.to_json()) == plan
    assert DeployPlan.from_json({"orchestrations": "junk", "removed": [1]}) == DeployPlan()


def test_generate_json_lists_the_schedules_deploy_will_make(tmp_path: Path) -> None:
    spec = _spec(tmp_path / "specs", "Nightly", NIGHTLY)
    result = CliRunner().invoke(
        generate_command, [str(spec), "--out", str(tmp_path / "o"), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["schedules"] == [
        {"orchestration": "Nightly", "job": "Stepforce Nightly", "cron": "0 30 1 ? * MON-SAT"}
    ]
    assert payload["unscheduled"] == []
    assert payload["removed"] == []


def test_a_schedules_exact_decimal_survives_the_manifest_and_reaches_the_apex_script(
    tmp_path: Path,
) -> None:
    """The deploy plan is JSON on disk: a Number input must come back with all its digits,
    never through a float (12345678901234567.89 as a float is 1.2345678901234568e+16)."""
    exact = "schedule:\n  cron: '0 0 3 * * ?'\n  inputs: {days: 12345678901234567.89}\n"
    spec = _spec(tmp_path / "specs", "Exact", exact)
    out = tmp_path / "out"
    result = CliRunner().invoke(generate_command, [str(spec), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (planned,) = read_deploy_plan(out).schedules
    assert planned.inputs == {"days": Decimal("12345678901234567.89")}
    assert str(planned.inputs["days"]) == "12345678901234567.89"
    script = (out / "scripts/apex/schedule_Exact.apex").read_text(encoding="utf-8")
    assert "12345678901234567.89" in script


def test_a_spec_only_change_says_deploy_plans_only_will_do(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = CliRunner().invoke(
        generate_command, [str(_spec(tmp_path / "a", "Nightly")), "--out", str(out), "--json"]
    )
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["plansOnly"] is False  # the runtime's Apex was written
    changed = _spec(tmp_path / "b", "Nightly").read_text().replace("Purger", "Purger2")
    (tmp_path / "b" / "nightly.yaml").write_text(changed)
    again = CliRunner().invoke(
        generate_command, [str(tmp_path / "b" / "nightly.yaml"), "--out", str(out)]
    )
    assert again.exit_code == 0, again.output
    assert f"`stepforce deploy {out} --plans-only` sends them without Apex" in again.output
    unchanged = CliRunner().invoke(
        generate_command, [str(tmp_path / "b" / "nightly.yaml"), "--out", str(out), "--json"]
    )
    assert json.loads(unchanged.output)["plansOnly"] is False  # nothing changed at all
