"""Deploy a metadata-format zip through simple-salesforce's Metadata API, and watch it.

What simple-salesforce 1.12 sends (read from its source): ``deploy(zip, sandbox, **options)``
formats every option into the SOAP body with ``str.format``, so Python booleans become
``True``/``False``; we pass the strings ``"true"``/``"false"`` instead. It always sends
``singlePackage`` (hence ``package.xml`` at the zip root) and, when ``sandbox`` is false,
overwrites ``rollbackOnError``/``allowMissingFiles`` with Python booleans; we always ask for
``rollbackOnError=true`` ourselves (what production demands anyway) and pass ``sandbox=True``
so our strings are the ones sent. ``runTests`` names are pasted into the XML unescaped, so
they are checked to be Apex class names first.

Its public ``checkDeployStatus`` drops line numbers, ``done``, code coverage and coverage
warnings, so we send ``checkDeployStatus`` (``includeDetails=true``) ourselves, to the same
endpoint with the client's public session, headers and ``call_salesforce`` (so errors are the
same ``SalesforceError`` types), and read the whole ``result`` element.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from xml.etree.ElementTree import Element

import requests
from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession
from simple_salesforce.util import call_salesforce

from stepforce.errors import CredentialsError, OrgError, StillRunningError, UsageError
from stepforce.runtime_client.composite import QueryAnswer, composite_body
from stepforce.runtime_client.deploy_result import (
    FINISHED_STATUSES,
    DeployResult,
    check_deploy_status_request,
    deploy_result_element,
    parse_deploy_result,
)
from stepforce.runtime_client.http import first_error
from stepforce.runtime_client.permsets import Assignment, assign_permission_sets
from stepforce.runtime_client.plans import (
    COLLECTIONS_PATH,
    Usage,
    delete_params,
    parse_usage,
    usage_path,
)
from stepforce.runtime_client.redact import scrub
from stepforce.runtime_client.retry import TRANSIENT_STATUSES
from stepforce.runtime_client.schedule import check_anonymous_result

MAX_STATUS_FAILURES = 4
ORG_KIND_SOQL = "SELECT IsSandbox, OrganizationType, TrialExpirationDate FROM Organization"
_DEPLOY_ID = re.compile(r"0Af[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?")
# An Apex class name, optionally namespaced (ns__Class) or with a method (Class.method).
_TEST_NAME = re.compile(r"(?:[A-Za-z]\w{0,14}__)?[A-Za-z]\w{0,39}(?:\.[A-Za-z]\w{0,39})?")


class TestLevel(StrEnum):
    NO_TEST_RUN = "NoTestRun"
    RUN_SPECIFIED_TESTS = "RunSpecifiedTests"
    RUN_LOCAL_TESTS = "RunLocalTests"
    RUN_ALL_TESTS_IN_ORG = "RunAllTestsInOrg"


class OrgKind(StrEnum):
    """What the Organization record says the org is; it decides the default test level."""

    SCRATCH = "scratch"
    SANDBOX = "sandbox"
    DEVELOPER = "developer edition"
    PRODUCTION = "production"

    @property
    def default_test_level(self) -> TestLevel:
        # Salesforce runs no tests by default outside production; production runs local tests.
        if self is OrgKind.PRODUCTION:
            return TestLevel.RUN_LOCAL_TESTS
        return TestLevel.NO_TEST_RUN


def org_kind_from_record(record: dict[str, Any]) -> OrgKind:
    """Scratch orgs have a TrialExpirationDate and IsSandbox false; sandboxes say IsSandbox."""
    if record.get("IsSandbox"):
        return OrgKind.SANDBOX
    if str(record.get("OrganizationType") or "") == "Developer Edition":
        return OrgKind.SCRATCH if record.get("TrialExpirationDate") else OrgKind.DEVELOPER
    if record.get("TrialExpirationDate"):
        # Scratch orgs of other editions look like trials; both are non-production.
        return OrgKind.SCRATCH
    return OrgKind.PRODUCTION


@dataclass(frozen=True)
class DeployRequest:
    """What the user asked for; ``test_level`` None means "what the org calls for"."""

    check_only: bool = False
    test_level: TestLevel | None = None
    tests: tuple[str, ...] = ()

    def resolve(self, kind: OrgKind, has_apex: bool) -> DeployRequest:
        """The request with its test level settled, or UsageError before anything is sent.

        A package without Apex (a spec-only change: plan documents are static resources)
        defaults to NoTestRun everywhere: "If your package doesn't contain Apex components,
        no tests are run by default" (Running Tests in a Deployment, Metadata API Guide)."""
        default = kind.default_test_level if has_apex else TestLevel.NO_TEST_RUN
        level = self.test_level or default
        if self.tests and level is not TestLevel.RUN_SPECIFIED_TESTS:
            raise UsageError("--tests needs --test-level RunSpecifiedTests")
        if level is TestLevel.RUN_SPECIFIED_TESTS and not self.tests:
            raise UsageError("--test-level RunSpecifiedTests needs --tests A,B")
        for name in self.tests:
            if not _TEST_NAME.fullmatch(name):
                raise UsageError(f"--tests: {name!r} is not an Apex test class name")
        if kind is OrgKind.PRODUCTION and has_apex and level is TestLevel.NO_TEST_RUN:
            raise UsageError(
                "this is a production org and the deploy contains Apex: Salesforce requires "
                "tests (75% coverage); use --test-level RunLocalTests or RunSpecifiedTests"
            )
        return DeployRequest(self.check_only, level, self.tests)

    def soap_options(self) -> dict[str, Any]:
        """The keyword arguments for simple-salesforce's ``deploy``; booleans as strings."""
        return {
            "checkOnly": "true" if self.check_only else "false",
            "testLevel": (self.test_level or TestLevel.NO_TEST_RUN).value,
            "tests": list(self.tests),
            "rollbackOnError": "true",
            "ignoreWarnings": "false",
            "allowMissingFiles": "false",
            "autoUpdatePackage": "false",
            "performRetrieve": "false",
            "purgeOnDelete": "false",
        }


def check_deploy_id(deploy_id: str) -> str:
    """A deploy id is a 15/18-character id starting 0Af (it goes into a URL and SOAP body)."""
    if not _DEPLOY_ID.fullmatch(deploy_id):
        raise UsageError(f"{deploy_id!r} is not a deploy id (0Af..., 15 or 18 characters)")
    return deploy_id


class TransientError(OrgError):
    """The org could not be reached or answered 502/503/504: asking again may work."""


class DeployStillRunning(StillRunningError):
    """The wait ran out; the deploy goes on in the org and can be watched again."""

    def __init__(self, result: DeployResult, minutes: float) -> None:
        self.result = result
        super().__init__(
            f"deploy {result.id} is still {result.status} after {minutes:g} minute(s); "
            f"watch it with: stepforce deploy --status {result.id}"
        )


class Deployer:
    """Starts deploys and reads their status through a ``simple_salesforce.Salesforce``.

    ``connect`` returns that client; ``refresh`` (optional) renews an expired token, after
    which ``connect`` is called again. Every error leaves here as a stepforce error with any
    token scrubbed from it.
    """

    def __init__(
        self,
        connect: Callable[[], Any],
        refresh: Callable[[], None] | None = None,
        secrets: Callable[[], list[str]] = list,
    ) -> None:
        self._connect = connect
        self._refresh = refresh
        self._secrets = secrets
        self._client: Any = None

    def org_kind(self) -> OrgKind:
        answer = self._call(lambda sf: sf.query(ORG_KIND_SOQL))
        records = (answer.get("records") or []) if isinstance(answer, dict) else []
        if not records:
            raise OrgError("the Organization query returned no record")
        return org_kind_from_record(records[0])

    def start(self, zip_bytes: bytes, request: DeployRequest) -> str:
        """Send the zip; returns the deploy id."""
        options = request.soap_options()
        answer = self._call(lambda sf: sf.deploy(io.BytesIO(zip_bytes), True, **options))
        deploy_id = answer.get("asyncId") if isinstance(answer, dict) else None
        if not deploy_id:
            raise OrgError("the Metadata API accepted the deploy but returned no id")
        return str(deploy_id)

    def status(self, deploy_id: str) -> DeployResult:
        check_deploy_id(deploy_id)
        element = self._call(lambda sf: _check_deploy_status(sf, deploy_id))
        if not isinstance(element, Element):
            raise OrgError(f"checkDeployStatus for {deploy_id} returned no result")
        return parse_deploy_result(element)

    def composite_query(self, queries: Mapping[str, str]) -> dict[str, QueryAnswer]:
        """Several SOQL queries in one ``/composite`` request: one API call for all of them.

        Each answer is the query's records, or the error the org gave for that query alone
        (``allOrNone`` false: one failing query does not fail the others).
        """
        answer = self._call(
            lambda sf: sf.restful(
                "composite", method="POST", json=composite_body(sf.sf_version, queries)
            )
        )
        results = answer.get("compositeResponse") if isinstance(answer, dict) else None
        if not isinstance(results, list):
            raise OrgError("the composite request returned no compositeResponse")
        found = {str(r.get("referenceId")): QueryAnswer.from_subresponse(r) for r in results}
        missing = sorted(set(queries) - set(found))
        if missing:
            raise OrgError(f"the composite request returned no answer for {', '.join(missing)}")
        return found

    def query(self, soql: str) -> list[dict[str, Any]]:
        answer = self._call(lambda sf: sf.query(soql))
        records = answer.get("records") if isinstance(answer, dict) else None
        return [r for r in records or [] if isinstance(r, dict)]

    def execute_anonymous(self, apex: str, what: str) -> None:
        """Run anonymous Apex through the Tooling API; OrgError unless it compiled and ran."""
        answer = self._call(
            lambda sf: sf.restful("tooling/executeAnonymous/", params={"anonymousBody": apex})
        )
        check_anonymous_result(answer, what)

    def plan_usage(self, orchestration: str | None = None) -> Usage:
        """Runs that still need each plan version, per orchestration and version, counted
        by the runtime over every run (its ``GET plans`` route)."""
        path = usage_path(orchestration)
        return parse_usage(self._call(lambda sf: sf.apexecute(path, method="GET")))

    def delete_records(self, ids: list[str]) -> Any:
        """One sObject Collections DELETE of at most 200 ids; the org's DeleteResults."""
        params = delete_params(ids)
        return self._call(lambda sf: sf.restful(COLLECTIONS_PATH, method="DELETE", params=params))

    def assign_permission_sets(self, names: tuple[str, ...]) -> list[Assignment]:
        """Give the connection's user these permission sets (skipping those it holds)."""
        return list(self._call(lambda sf: assign_permission_sets(sf, names)))

    def _call(self, action: Callable[[Any], Any]) -> Any:
        try:
            return self._attempt(action)
        except CredentialsError:
            if self._refresh is None:
                raise
            self._refresh()
            self._client = None
            return self._attempt(action)

    def _attempt(self, action: Callable[[Any], Any]) -> Any:
        if self._client is None:
            self._client = self._connect()
        try:
            return action(self._client)
        except SalesforceExpiredSession as error:
            raise CredentialsError("the org refused the access token as expired") from error
        except SalesforceError as error:
            raise self._org_error(error) from error
        except requests.RequestException as error:
            raise TransientError(f"could not reach the org: {type(error).__name__}") from error
        except Exception as error:  # simple-salesforce raises bare Exception for odd answers
            raise OrgError(self._scrub(f"unexpected Metadata API answer: {error}")) from error

    def _org_error(self, error: Any) -> CredentialsError | OrgError:
        raw = getattr(error, "content", None)
        if isinstance(raw, list | dict):  # a REST call's error array, parsed from its JSON
            code, said = first_error(raw)
            message = self._scrub(said)
        else:  # a SOAP fault (Metadata API)
            content = str(raw or "")
            fault = re.search(r"<faultcode>(?:\w+:)?(\w+)</faultcode>", content)
            text = re.search(r"<faultstring>(.*?)</faultstring>", content, re.DOTALL)
            code = fault.group(1) if fault else None
            message = self._scrub(text.group(1) if text else content[:500])
        if code == "INVALID_SESSION_ID":
            return CredentialsError(f"the org refused the access token: {message}")
        status = getattr(error, "status", None)
        error_class = TransientError if status in TRANSIENT_STATUSES else OrgError
        return error_class(
            message,
            status=getattr(error, "status", None),
            error_code=code,
            url=self._scrub(str(getattr(error, "url", ""))),
        )

    def _scrub(self, text: str) -> str:
        return scrub(text, self._secrets())


def _check_deploy_status(sf: Any, deploy_id: str) -> Element | None:
    """``checkDeployStatus`` with details through ``sf`` (a ``simple_salesforce.Salesforce``)."""
    response = call_salesforce(
        url=f"{sf.metadata_url}deployRequest/{deploy_id}",
        method="POST",
        session=sf.session,
        headers=dict(sf.headers),  # call_salesforce updates the dict it gets
        additional_headers={"Content-Type": "text/xml", "SOAPAction": "checkDeployStatus"},
        data=check_deploy_status_request(sf.session_id, deploy_id),
    )
    return deploy_result_element(response.content)


@dataclass(frozen=True)
class Poller:
    """Bounded, growing waits between status checks; sleep and clock are injected for tests.

    Every check is an API call from the org's shared daily budget, so waits grow from
    ``first`` by ``growth`` up to ``longest`` seconds instead of polling at a fixed pace.
    """

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    first: float = 2.0
    growth: float = 1.5
    longest: float = 15.0

    def waits(self) -> Iterator[float]:
        wait = self.first
        while True:
            yield wait
            wait = min(wait * self.growth, self.longest)


class StatusReader(Protocol):
    def status(self, deploy_id: str) -> DeployResult: ...


def watch_deploy(
    deployer: StatusReader,
    deploy_id: str,
    *,
    wait_minutes: float,
    poller: Poller,
    on_progress: Callable[[DeployResult], None] = lambda _result: None,
) -> DeployResult:
    """Poll until the deploy is done; DeployStillRunning when ``wait_minutes`` run out.

    A status check only reads, so a transient failure is retried (up to ``MAX_STATUS_FAILURES``
    in a row); when it persists, the message says how to resume watching, because the deploy
    itself goes on in the org.
    """
    deadline = poller.clock() + wait_minutes * 60
    waits = poller.waits()
    failures = 0
    while True:
        try:
            result = deployer.status(deploy_id)
        except TransientError as error:
            failures += 1
            if failures >= MAX_STATUS_FAILURES or poller.clock() >= deadline:
                raise TransientError(
                    f"{error}; deploy {deploy_id} may still be running: watch it with "
                    f"stepforce deploy --status {deploy_id}"
                ) from error
            poller.sleep(next(waits))
            continue
        failures = 0
        on_progress(result)
        if result.done or result.status in FINISHED_STATUSES:
            return result
        remaining = deadline - poller.clock()
        if remaining <= 0:
            raise DeployStillRunning(result, wait_minutes)
        poller.sleep(min(next(waits), remaining))


def deploy_zip(
    deployer: Deployer,
    zip_bytes: bytes,
    request: DeployRequest,
    *,
    has_apex: bool,
    wait_minutes: float,
    poller: Poller,
    on_started: Callable[[str, DeployRequest], None] = lambda _id, _request: None,
    on_progress: Callable[[DeployResult], None] = lambda _result: None,
    kind: OrgKind | None = None,
) -> DeployResult:
    """Settle the test level from the org (one query, unless ``kind`` is known already), send
    the zip and watch it to the end."""
    resolved = request.resolve(kind or deployer.org_kind(), has_apex)
    deploy_id = deployer.start(zip_bytes, resolved)
    on_started(deploy_id, resolved)
    return watch_deploy(
        deployer, deploy_id, wait_minutes=wait_minutes, poller=poller, on_progress=on_progress
    )
