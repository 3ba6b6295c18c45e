"""A fake org for the doctor: the runtime's REST API answering with the simulator's runs.

Each run moves through phases, one per GET (its first attempt waiting, then the end);
pause/resume/retry/cancel switch it to the simulated state after that control. ``tamper``
changes what one orchestration's runs show, to make a probe fail; ``stuck`` keeps an
orchestration's runs Running forever, to make the doctor time out.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import responses

from stepforce.generator.simulate.engine import Action, Control
from tests.deploy.conftest import INSTANCE

from .predicted import USER, first_attempt_running, run_json, trace_of

APEX = f"{INSTANCE}/services/apexrest/stepforce/v1/runs"
USERINFO = f"{INSTANCE}/services/oauth2/userinfo"
_PAUSE = Control(Action.PAUSE, step="Slow_Start", attempt=1)
_CONTROLS: dict[str, tuple[Control, ...]] = {
    "pause": (_PAUSE,),
    "resume": (_PAUSE, Control(Action.RESUME)),
    "retry": (
        _PAUSE,
        Control(Action.RESUME),
        Control(Action.RETRY, from_step="Gate", inputs={"mode": "pass"}),
    ),
    "cancel": (Control(Action.CANCEL, step="Slow_Start", attempt=1),),
}


@dataclass
class _Run:
    id: str
    orchestration: str
    key: str
    phases: list[dict[str, Any]]

    def current(self) -> dict[str, Any]:
        return self.phases[0]

    def advance(self) -> dict[str, Any]:
        if len(self.phases) > 1:
            self.phases.pop(0)
        return self.phases[0]


@dataclass
class FakeDoctorOrg:
    tamper: dict[str, Callable[[dict[str, Any]], None]] = field(default_factory=dict)
    stuck: set[str] = field(default_factory=set)
    runs: dict[str, _Run] = field(default_factory=dict)
    transitions: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _state(self, orchestration: str, run_id: str, key: str, action: str = "") -> dict[str, Any]:
        controls = _CONTROLS.get(action, ()) if orchestration == "Stepforce_Probe_Control" else ()
        final = run_json(trace_of(orchestration, controls), run_id, key)
        if orchestration in self.stuck:
            final = first_attempt_running(final)
        if orchestration in self.tamper:
            self.tamper[orchestration](final)
        return final

    def start(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        with self.lock:
            return self._start(request)

    def _start(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body or "{}")
        key = str(body["requestKey"])
        for run in self.runs.values():
            if run.key == key:
                return 200, {}, json.dumps(run.current())
        orchestration = str(body["orchestration"])
        run_id = f"a01DOCTOR{len(self.runs):09d}"
        final = self._state(orchestration, run_id, key)
        phases = [first_attempt_running(final), final]
        if orchestration == "Stepforce_Probe_Control":
            phases = [first_attempt_running(final)]  # waits for its retry until controlled
        self.runs[run_id] = _Run(run_id, orchestration, key, phases)
        return 201, {}, json.dumps(phases[0])

    def get(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        with self.lock:
            return self._get(request)

    def _get(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        run = self.runs[str(request.url).rsplit("/", 1)[1]]
        return 200, {}, json.dumps(run.advance())

    def control(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        with self.lock:
            return self._control(request)

    def _control(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        run_id, action = str(request.url).rsplit("/", 2)[1:]
        run = self.runs[run_id]
        self.transitions.append(f"{action} {run_id}")
        run.phases = [self._state(run.orchestration, run_id, run.key, action)]
        return 200, {}, json.dumps(run.current())

    def register(self, mocked: responses.RequestsMock) -> None:
        mocked.add_callback(responses.POST, APEX, callback=self.start)
        mocked.add_callback(
            responses.POST, re.compile(re.escape(APEX) + r"/\w+/\w+$"), callback=self.control
        )
        mocked.add_callback(
            responses.GET, re.compile(re.escape(APEX) + r"/\w+$"), callback=self.get
        )
        # OpenID Connect UserInfo endpoint (Salesforce Help, "UserInfo Endpoint"): user_id.
        mocked.get(
            USERINFO,
            json={"user_id": USER, "organization_id": "00D000000000001AAA", "email": "a@b.c"},
        )
