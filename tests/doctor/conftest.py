"""Fixtures for the doctor: the deploy tests' fake org (queries, anonymous Apex, SOAP), the
runtime's REST API answering with simulated probe runs, and clocks that never sleep."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from stepforce.cli import doctor_cmd
from tests.deploy.conftest import FakeClock, fake_org, mocked, org  # noqa: F401

from .fake_doctor_org import FakeDoctorOrg


class SimClock:
    """The REST client's clock: time moves only when a watch waits (shared by the probes)."""

    def __init__(self) -> None:
        self.now = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture
def sim_clock(monkeypatch: pytest.MonkeyPatch) -> SimClock:
    clock = SimClock()
    deploy_clock = FakeClock()
    monkeypatch.setattr(doctor_cmd, "clock_factory", lambda: clock)
    monkeypatch.setattr(doctor_cmd, "make_poller", deploy_clock.poller)
    return clock


@pytest.fixture
def doctor_org(mocked: Any) -> FakeDoctorOrg:  # noqa: F811
    fake = FakeDoctorOrg()
    fake.register(mocked)
    return fake
