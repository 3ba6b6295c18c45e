"""Who ran a run: ``startedBy`` and each attempt's ``ranAs`` in `run status` and `run logs`.

The REST shapes are docs/runtime.md's ("REST API"): the Run's ``startedBy`` is the User who
asked for the run, a StepRun's ``ranAs`` the User the attempt ran as. An event relay continues
a run as the Automated Process user when no PlatformEventSubscriberConfig names a user
(Salesforce, "Configure the User and Batch Size for Your Platform Event Trigger"), which is
the case an operator must see.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from stepforce.cli.run_view import ran_as_warnings
from stepforce.runtime_client.models import Run

from .conftest import (
    APEX,
    AUTOMATED_PROCESS,
    RUN_ID,
    STARTER,
    invoke,
    run_json,
    step_json,
)

WARNING = (
    f"warning: Fetch_Page, Post_Summary ran as {AUTOMATED_PROCESS}, not as the run's "
    f"starter {STARTER} (an event relay or the sweeper continued the run)"
)


def _relayed_run() -> dict[str, object]:
    """Iteration 1 of Fetch_Page in the starter's chain; iteration 2 and Post_Summary after a
    relay, as the Automated Process user."""
    return run_json(
        "Succeeded",
        [
            step_json("Fetch_Page", 0),
            step_json("Fetch_Page", 0, iteration=2, start=10, ran_as=AUTOMATED_PROCESS),
            step_json("Post_Summary", 1, start=20, ran_as=AUTOMATED_PROCESS),
        ],
        current=None,
        finished_after=30,
    )


def test_status_names_the_starter_and_the_steps_that_ran_as_another_user(
    org: responses.RequestsMock,
) -> None:
    org.get(f"{APEX}/{RUN_ID}", json=_relayed_run())
    code, out, _ = invoke(["run", "status", RUN_ID])
    assert code == 0
    assert f"Run {RUN_ID} (Invoice_Sync): Succeeded, started by {STARTER}" in out
    assert WARNING in out
    # The id of a user is never wrapped: it stays copyable.
    assert [line for line in out.splitlines() if AUTOMATED_PROCESS in line] == [
        line for line in out.splitlines() if line.startswith("warning: Fetch_Page")
    ]


def test_status_warns_once_per_other_user_naming_that_users_steps(
    org: responses.RequestsMock,
) -> None:
    sweeper = "0055g00000SweepAAA"
    steps = [
        step_json("Fetch_Page", 0, ran_as=AUTOMATED_PROCESS),
        step_json("Transform", 1, start=10),
        step_json("Post_Summary", 2, start=20, ran_as=sweeper),
    ]
    org.get(f"{APEX}/{RUN_ID}", json=run_json("Succeeded", steps, current=None))
    code, out, _ = invoke(["run", "status", RUN_ID])
    assert code == 0
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert [w.split(", not as")[0] for w in warnings] == [
        f"warning: Fetch_Page ran as {AUTOMATED_PROCESS}",
        f"warning: Post_Summary ran as {sweeper}",
    ]


@pytest.mark.parametrize(
    ("started_by", "ran_as", "headline"),
    [
        # Every step in the starter's chain: the starter is named, nothing else is said.
        (STARTER, STARTER, f"Run {RUN_ID} (Invoice_Sync): Succeeded, started by {STARTER}"),
        # A runtime older than startedBy and ranAs: nothing is said about users at all.
        (None, None, f"Run {RUN_ID} (Invoice_Sync): Succeeded\n"),
    ],
    ids=["starters-chain", "older-runtime"],
)
def test_status_warns_of_no_user_when_no_step_ran_as_another(
    org: responses.RequestsMock, started_by: str | None, ran_as: str | None, headline: str
) -> None:
    steps = [step_json("Fetch_Page", 0, ran_as=ran_as), step_json("Post", 1, ran_as=ran_as)]
    run = run_json("Succeeded", steps, current=None, started_by=started_by)
    org.get(f"{APEX}/{RUN_ID}", json=run)
    code, out, _ = invoke(["run", "status", RUN_ID])
    assert code == 0
    assert headline in out
    assert "ran as" not in out
    assert "warning" not in out


def test_status_json_carries_started_by_and_ran_as_as_the_org_sent_them(
    org: responses.RequestsMock,
) -> None:
    org.get(f"{APEX}/{RUN_ID}", json=_relayed_run())
    code, out, _ = invoke(["run", "status", RUN_ID, "--json"])
    assert code == 0
    data = json.loads(out)
    assert data["startedBy"] == STARTER
    assert [s["ranAs"] for s in data["steps"]] == [STARTER, AUTOMATED_PROCESS, AUTOMATED_PROCESS]
    assert "warning" not in out


def test_logs_say_as_whom_only_the_attempts_that_ran_as_another_user(
    org: responses.RequestsMock,
) -> None:
    org.get(f"{APEX}/{RUN_ID}", json=_relayed_run())
    code, out, _ = invoke(["run", "logs", RUN_ID])
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Run {RUN_ID} (Invoice_Sync): Succeeded, started by {STARTER}"
    ran_as = [i for i, line in enumerate(lines) if line.strip().startswith("ran as:")]
    # Fetch_Page iteration 2 and Post_Summary, each right under its attempt line.
    assert [lines[i - 1].strip().split(":")[0] for i in ran_as] == [
        "attempt 1 iteration 2",
        "attempt 1 iteration 1",
    ]
    assert lines[ran_as[1] - 2] == "Step Post_Summary (#1)"
    assert all(lines[i].endswith(AUTOMATED_PROCESS) for i in ran_as)
    assert WARNING in out


def test_logs_json_keep_each_attempts_ran_as(org: responses.RequestsMock) -> None:
    org.get(f"{APEX}/{RUN_ID}", json=_relayed_run())
    code, out, _ = invoke(["run", "logs", RUN_ID, "--step", "Fetch_Page", "--json"])
    assert code == 0
    (log,) = json.loads(out)
    assert [a["ranAs"] for a in log["attempts"]] == [STARTER, AUTOMATED_PROCESS]


def test_docs_show_the_warning_exactly_as_the_cli_prints_it() -> None:
    (warning,) = ran_as_warnings(Run.from_json(_relayed_run()))
    docs = Path(__file__).parents[2] / "docs" / "client.md"
    assert warning in " ".join(docs.read_text(encoding="utf-8").split())
