from __future__ import annotations

import re

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st
from responses import matchers

from stepforce.apex_text import UnsafeTextError, apex_string
from stepforce.errors import ConflictError, NotFoundError, OrgError, UsageError
from stepforce.runtime_client.auth import OrgConnection
from stepforce.runtime_client.client import StepforceClient
from stepforce.runtime_client.schedule import (
    abort_body,
    check_anonymous_result,
    cron_trigger_query,
    schedule_body,
)

from .conftest import SCHEDULE, SCHEDULES, FakeClock, mock_nightly_schedule, sf_errors

# The Apex lexer's string literal: ' ( ~['\\\r\n] | \\[btnfr"'\\] | \\u+XXXX )* '
_LITERAL = re.compile(r"'(?:[^'\\\r\n]|\\[btnfr\"'\\]|\\u+[0-9a-fA-F]{4})*'")
_DECODE = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


def decode_apex_literal(literal: str) -> str:
    """What Apex would read from a literal that the lexer accepts as one token."""
    assert _LITERAL.fullmatch(literal), f"not one Apex string literal: {literal!r}"
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        if body[i] != "\\":
            out.append(body[i])
            i += 1
        elif body[i + 1] == "u":
            j = i + 1
            while body[j] == "u":
                j += 1
            out.append(chr(int(body[j : j + 4], 16)))
            i = j + 4
        else:
            out.append(_DECODE[body[i + 1]])
            i += 2
    return "".join(out)


_C0_WITHOUT_NAME = "".join(chr(c) for c in range(0x20) if chr(c) not in "\n\r\t\b\f")


@given(st.text(alphabet=st.characters(blacklist_characters=_C0_WITHOUT_NAME)))
def test_any_text_becomes_one_literal_that_decodes_to_itself(text: str) -> None:
    assert decode_apex_literal(apex_string(text)) == text


@given(st.text(), st.sampled_from(_C0_WITHOUT_NAME))
def test_text_with_an_unnamed_control_character_is_refused(text: str, control: str) -> None:
    with pytest.raises(UnsafeTextError, match="control character U\\+00"):
        apex_string(text + control)


def test_a_control_character_in_a_schedule_value_is_a_usage_error_naming_it() -> None:
    with pytest.raises(UsageError, match=r"schedule name .* control character U\+0000"):
        schedule_body("Night\x00ly", "0 0 2 * * ?", "Invoice_Sync", {})
    # Inputs travel as JSON, which escapes control characters itself: nothing to refuse.
    body = schedule_body("Nightly", "0 0 2 * * ?", "Invoice_Sync", {"note": "a\x00b"})
    assert "\\\\u0000" in body


@pytest.mark.parametrize(
    "payload",
    [
        "x'); System.abortJob('08e000000000001'); //",
        "x\\'); delete [SELECT Id FROM Account]; //",
        "line1\nSystem.debug('injected');",
        "\\",
        "'",
        "\u007f\u2028\u202e\ufeff",
    ],
)
def test_injection_attempts_stay_inside_the_literal(payload: str) -> None:
    literal = apex_string(payload)
    assert decode_apex_literal(literal) == payload
    body = schedule_body("Nightly", "0 0 2 * * ?", "Invoice_Sync", {"note": payload})
    # Exactly four literal arguments and nothing outside them but the call itself.
    outside = _LITERAL.sub("L", body)
    assert outside == "StepforceScheduledStart.schedule(L, L, L, L);"


def test_schedule_body_passes_inputs_as_compact_json() -> None:
    body = schedule_body("Nightly", "0 0 2 * * ?", "Invoice_Sync", {"since": "2026-11-01", "n": 5})
    literals = [decode_apex_literal(m) for m in _LITERAL.findall(body)]
    assert literals == ["Nightly", "0 0 2 * * ?", "Invoice_Sync", '{"n":5,"since":"2026-11-01"}']


def test_bad_orchestration_and_job_names_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="not an orchestration API name"):
        schedule_body("Nightly", "0 0 2 * * ?", "Invoice'Sync", {})
    with pytest.raises(UsageError, match="1-80 characters"):
        schedule_body("x" * 81, "0 0 2 * * ?", "Invoice_Sync", {})


def test_cron_trigger_query_quotes_the_name() -> None:
    soql = cron_trigger_query("Nightly' OR Name != '")
    assert soql.endswith("WHERE CronJobDetail.Name = 'Nightly\\' OR Name != \\''")


def test_abort_body_accepts_only_cron_trigger_ids() -> None:
    assert abort_body(["08e5g00000ABCDE"]) == "System.abortJob('08e5g00000ABCDE');"
    with pytest.raises(OrgError, match="not a CronTrigger id"):
        abort_body(["08e'); System.debug('x"])


def test_anonymous_results_are_checked_for_compile_and_runtime_failures() -> None:
    check_anonymous_result({"compiled": True, "success": True}, "ok")
    with pytest.raises(OrgError, match="runtime deployed") as compile_error:
        check_anonymous_result(
            {
                "compiled": False,
                "success": False,
                "line": 1,
                "column": 1,
                "compileProblem": "Variable does not exist: StepforceScheduledStart",
            },
            "scheduling",
        )
    assert compile_error.value.error_code == "COMPILE_ERROR"
    with pytest.raises(OrgError, match="already scheduled"):
        check_anonymous_result(
            {
                "compiled": True,
                "success": False,
                "exceptionMessage": (
                    'System.AsyncException: The Apex job named "Nightly" is already scheduled'
                ),
            },
            "scheduling",
        )


def test_client_schedules_with_one_post_of_the_orchestration_cron_inputs_and_name(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    post = mock_nightly_schedule(mocked)
    client = StepforceClient(connection, clock=clock)
    job = client.schedule("Invoice_Sync", "0 0 2 * * ?", {"since": "2026-11-01"}, name="Nightly")
    assert (job.id, job.state, job.next_fire_time) == (
        "08e5g00000ABCDEAAA",
        "WAITING",
        "2026-11-26T02:00:00.000Z",
    )
    assert post.call_count == 1
    assert len(mocked.calls) == 1


def test_client_schedule_defaults_the_name_and_refuses_a_bad_orchestration_before_any_call(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    mocked.post(
        SCHEDULES,
        status=201,
        json={**SCHEDULE, "name": "Stepforce Invoice_Sync"},
        match=[
            matchers.json_params_matcher({"name": "Stepforce Invoice_Sync"}, strict_match=False)
        ],
    )
    client = StepforceClient(connection, clock=clock)
    assert client.schedule("Invoice_Sync", "0 0 2 * * ?").name == "Stepforce Invoice_Sync"
    with pytest.raises(UsageError, match="not an orchestration API name"):
        client.schedule("Invoice Sync'); System.debug('x", "0 0 2 * * ?")
    assert len(mocked.calls) == 1


def test_client_reports_a_name_in_use_as_a_conflict(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    mocked.post(
        SCHEDULES,
        status=409,
        json=sf_errors("DUPLICATE_VALUE", 'A scheduled job is already named "Nightly"'),
    )
    client = StepforceClient(connection, clock=clock)
    with pytest.raises(ConflictError, match="already named"):
        client.schedule("Invoice_Sync", "0 0 2 * * ?", name="Nightly")
    assert len(mocked.calls) == 1  # a POST is never repeated


def test_client_unschedules_by_name_and_reports_an_unknown_name(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    delete = mocked.delete(
        SCHEDULES,
        json={"unscheduled": [SCHEDULE]},
        match=[matchers.query_param_matcher({"name": "Nightly"})],
    )
    mocked.delete(
        SCHEDULES,
        status=404,
        json=sf_errors("NOT_FOUND", 'No Stepforce schedule is named "Gone"'),
        match=[matchers.query_param_matcher({"name": "Gone"})],
    )
    client = StepforceClient(connection, clock=clock)
    assert [j.name for j in client.unschedule("Nightly")] == ["Nightly"]
    assert delete.call_count == 1
    with pytest.raises(NotFoundError, match='No Stepforce schedule is named "Gone"'):
        client.unschedule("Gone")


def test_client_lists_schedules_and_explains_an_older_runtime(
    connection: OrgConnection, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    mocked.get(SCHEDULES, json={"schedules": [SCHEDULE, {**SCHEDULE, "id": "08e5g00000ABCDFAAA"}]})
    client = StepforceClient(connection, clock=clock)
    assert [j.id for j in client.schedules()] == ["08e5g00000ABCDEAAA", "08e5g00000ABCDFAAA"]
    # A runtime from before the schedules routes answered any unknown path with 405.
    mocked.replace(
        responses.GET,
        SCHEDULES,
        status=405,
        json=sf_errors("METHOD_NOT_ALLOWED", "No such resource: GET /stepforce/v1/schedules"),
    )
    with pytest.raises(OrgError, match="predates the schedules routes"):
        client.schedules()
