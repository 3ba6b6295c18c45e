from __future__ import annotations

import datetime as dt

import pytest

from stepforce.errors import OrgError
from stepforce.runtime_client.models import Run, RunPage, parse_time, same_record_id

from .conftest import AUTOMATED_PROCESS, STARTER, T0, run_json, step_json


def test_run_with_steps_parses_to_typed_values_with_aware_times() -> None:
    data = run_json(
        "Failed",
        [step_json("Fetch_Page", 0, status="Failed", error="boom")],
        error="Step Fetch_Page failed: boom",
        finished_after=30,
    )
    run = Run.from_json(data)
    assert run.status == "Failed"
    assert run.is_terminal
    assert run.started_at == T0
    assert run.started_at.tzinfo is not None
    assert run.finished_at == T0 + dt.timedelta(seconds=30)
    step = run.steps[0]
    assert (step.step, step.index, step.attempt, step.iteration) == ("Fetch_Page", 0, 1, 1)
    assert step.limits.cpu_ms == 420
    assert step.limits.heap_bytes == 150_000
    assert step.duration() == dt.timedelta(seconds=10)
    assert step.error == "boom"
    assert run.to_json() == data


def test_unknown_keys_are_tolerated_and_kept_for_json() -> None:
    data = run_json("Queued", with_steps=False)
    data["priority"] = "High"
    data["startedAt"] = None
    run = Run.from_json(data)
    assert run.steps == ()
    assert run.started_at is None
    assert run.to_json()["priority"] == "High"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-25T10:00:00.000Z", T0),
        ("2026-11-25T10:00:00.000+0000", T0),
        ("2026-11-25T12:00:00+02:00", T0),
        ("2026-11-25T10:00:00", T0),
    ],
)
def test_times_in_salesforce_formats_become_the_same_instant(
    text: str, expected: dt.datetime
) -> None:
    parsed = parse_time(text)
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is not None


def test_a_body_that_is_not_a_run_is_an_org_error() -> None:
    with pytest.raises(OrgError, match="not a Run"):
        Run.from_json([{"errorCode": "X", "message": "y"}])
    with pytest.raises(OrgError, match="could not be read"):
        Run.from_json({"id": "a01", "startedAt": "yesterday"})


def test_run_page_knows_whether_more_runs_follow() -> None:
    page = RunPage.from_json({"runs": [run_json(with_steps=False)], "total": 3}, 1, 0)
    assert page.total == 3
    assert page.has_more
    assert page.runs[0].id
    last = RunPage.from_json({"runs": [run_json(with_steps=False)], "total": 3}, 1, 2)
    assert not last.has_more
    with pytest.raises(OrgError):
        RunPage.from_json({"total": 0}, 1, 0)


@pytest.mark.parametrize(
    ("status", "job_id", "waits"),
    [
        ("Paused", None, True),  # nothing left to move it: only a resume does
        ("Paused", "7075g00000AbCdEAAA", False),  # the step running at the pause can end it
        ("Running", None, False),  # waiting for a depth relay, not for a person
    ],
)
def test_a_paused_run_waits_for_a_resume_only_without_a_job(
    status: str, job_id: str | None, waits: bool
) -> None:
    run = Run.from_json(run_json(status, job_id=job_id))
    assert run.job_id == job_id
    assert run.waits_for_resume is waits


def test_a_run_from_a_runtime_without_job_ids_is_read_as_having_none() -> None:
    data = run_json("Paused")
    del data["jobId"]
    assert Run.from_json(data).waits_for_resume


def test_the_starter_and_the_user_each_attempt_ran_as_are_read_from_the_run_json() -> None:
    steps = [
        step_json("Fetch_Page", 0),
        step_json("Fetch_Page", 0, iteration=2, ran_as=AUTOMATED_PROCESS),
        step_json("Post_Summary", 1, ran_as=AUTOMATED_PROCESS),
    ]
    run = Run.from_json(run_json("Succeeded", steps))
    assert run.started_by == STARTER
    assert [s.ran_as for s in run.steps] == [STARTER, AUTOMATED_PROCESS, AUTOMATED_PROCESS]
    assert [(s.step, s.iteration) for s in run.steps_run_as_others] == [
        ("Fetch_Page", 2),
        ("Post_Summary", 1),
    ]
    assert run.to_json()["startedBy"] == STARTER
    assert run.to_json()["steps"][1]["ranAs"] == AUTOMATED_PROCESS


@pytest.mark.parametrize(
    ("started_by", "ran_as"),
    [
        (None, AUTOMATED_PROCESS),  # a runtime older than startedBy
        (STARTER, None),  # attempts recorded before ranAs existed
        (None, None),
    ],
)
def test_a_run_without_starter_or_ran_as_keys_flags_no_step(
    started_by: str | None, ran_as: str | None
) -> None:
    run = Run.from_json(
        run_json("Running", [step_json("A", 0, ran_as=ran_as)], started_by=started_by)
    )
    assert run.started_by == started_by
    assert run.steps[0].ran_as == ran_as
    assert run.steps_run_as_others == ()


def test_a_15_character_id_names_the_same_user_as_its_18_character_form() -> None:
    assert same_record_id(STARTER[:15], STARTER)
    assert same_record_id(STARTER, STARTER[:15])
    assert not same_record_id(AUTOMATED_PROCESS[:15], STARTER)
    # 15-character ids are case-sensitive: only the 18-character checksum makes them safe.
    assert not same_record_id(STARTER[:15], STARTER[:15].lower())
    run = Run.from_json(run_json("Running", [step_json("A", 0, ran_as=STARTER[:15])]))
    assert run.steps_run_as_others == ()
