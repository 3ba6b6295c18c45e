"""Fixtures for deploy tests: a small source-format project and Metadata API SOAP answers.

The SOAP bodies follow the Metadata API's documented ``deployResponse`` and
``checkDeployStatusResponse`` (namespace ``http://soap.sforce.com/2006/04/metadata``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse
from xml.sax.saxutils import escape

import click
import pytest
import responses

from stepforce.cli import deploy_cmd
from stepforce.cli.deploy_cmd import deploy_command
from stepforce.deploy_plan import DeployPlan
from stepforce.errors import StepforceError
from stepforce.generator.plan_document import resource_description
from stepforce.runtime_client.deploy import Poller
from tests.conftest import ANONYMOUS_OK

INSTANCE = "https://acme.my.salesforce.com"
TOKEN = "00D000000000001!AQ0AQHfakeTokenValueForTests"
VERSION = "62.0"
DEPLOY_ID = "0Af5g00000AbCdEFGH"
MD = "http://soap.sforce.com/2006/04/metadata"
SOAP_URL = f"{INSTANCE}/services/Soap/m/{VERSION}/deployRequest"
QUERY_URL = f"{INSTANCE}/services/data/v{VERSION}/query/"
STATUS_URL = f"{SOAP_URL}/{DEPLOY_ID}"
ORG_ARGS = ["--instance-url", INSTANCE, "--access-token", TOKEN]

CLASS_META = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<ApexClass xmlns="{MD}">\n    <apiVersion>62.0</apiVersion>\n'
    "    <status>Active</status>\n</ApexClass>\n"
)


def field_xml(label: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<CustomField xmlns="{MD}">\n{extra}    <label>{label}</label>\n'
        "    <type>Checkbox</type>\n    <defaultValue>false</defaultValue>\n</CustomField>\n"
    )


def object_xml(label: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<CustomObject xmlns="{MD}">\n'
        "    <sharingModel>ReadWrite</sharingModel>\n"
        f"    <label>{label}</label>\n"
        f"    <pluralLabel>{label}s</pluralLabel>\n"
        "    <deploymentStatus>Deployed</deploymentStatus>\n"
        "    <description>A test object</description>\n"
        "</CustomObject>\n"
    )


def write_project(root: Path) -> Path:
    """A generated-looking project: classes, a trigger, objects with fields, an event, etc."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sfdx-project.json").write_text(
        '{"packageDirectories": [{"path": "force-app", "default": true}],'
        ' "sourceApiVersion": "62.0"}',
        encoding="utf-8",
    )
    base = root / "force-app" / "main" / "default"
    files = {
        "classes/SfPlan_Invoice_Sync.cls": "public with sharing class SfPlan_Invoice_Sync {\n}\n",
        "classes/SfPlan_Invoice_Sync.cls-meta.xml": CLASS_META,
        "classes/StepforceEngine.cls": "public with sharing class StepforceEngine {\n}\n",
        "classes/StepforceEngine.cls-meta.xml": CLASS_META,
        "triggers/StepforceRelay.trigger": "trigger StepforceRelay on Stepforce_Relay__e "
        "(after insert) {\n}\n",
        "triggers/StepforceRelay.trigger-meta.xml": CLASS_META.replace("ApexClass", "ApexTrigger"),
        "objects/Stepforce_Run__c/Stepforce_Run__c.object-meta.xml": object_xml("Run"),
        "objects/Stepforce_Run__c/fields/Status__c.field-meta.xml": field_xml("Status"),
        "objects/Stepforce_Run__c/fields/Error__c.field-meta.xml": field_xml(
            "Error", "    <fullName>Error__c</fullName>\n"
        ),
        "objects/Stepforce_Run__c/listViews/All.listView-meta.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ListView xmlns="{MD}">\n'
            "    <filterScope>Everything</filterScope>\n    <label>All</label>\n</ListView>\n"
        ),
        "objects/Stepforce_Relay__e/Stepforce_Relay__e.object-meta.xml": object_xml("Relay"),
        "objects/Stepforce_Relay__e/fields/Run_Id__c.field-meta.xml": field_xml("Run Id"),
        "flows/Post_Summary.flow-meta.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Flow xmlns="{MD}">\n'
            "    <label>Post Summary</label>\n</Flow>\n"
        ),
        "permissionsets/Stepforce_Admin.permissionset-meta.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<PermissionSet xmlns="{MD}">\n'
            "    <label>Stepforce Admin</label>\n</PermissionSet>\n"
        ),
        "customMetadata/Stepforce_Setting.Default.md-meta.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<CustomMetadata xmlns="{MD}">\n'
            "    <label>Default</label>\n</CustomMetadata>\n"
        ),
    }
    for relative, text in files.items():
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "proj")


def _xml(tag: str, value: Any) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{value}</{tag}>"


def envelope(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns="{MD}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )


def deploy_response(deploy_id: str = DEPLOY_ID) -> str:
    return envelope(
        f"<deployResponse><result><done>false</done><id>{deploy_id}</id>"
        "<state>Queued</state></result></deployResponse>"
    )


def status_response(
    *,
    status: str,
    done: bool,
    components: tuple[int, int, int] = (0, 0, 0),
    tests: tuple[int, int, int] = (0, 0, 0),
    details: str = "",
    check_only: bool = False,
    deploy_id: str = DEPLOY_ID,
) -> str:
    """``components``/``tests``: (total, deployed or completed, errors)."""
    fields = [
        _xml("checkOnly", check_only),
        _xml("createdDate", "2026-11-25T10:00:00.000Z"),
        f"<details>{details}</details>" if details else "",
        _xml("done", done),
        _xml("id", deploy_id),
        _xml("ignoreWarnings", False),
        _xml("numberComponentErrors", components[2]),
        _xml("numberComponentsDeployed", components[1]),
        _xml("numberComponentsTotal", components[0]),
        _xml("numberTestErrors", tests[2]),
        _xml("numberTestsCompleted", tests[1]),
        _xml("numberTestsTotal", tests[0]),
        _xml("rollbackOnError", True),
        _xml("runTestsEnabled", tests[0] > 0),
        _xml("status", status),
        _xml("success", status == "Succeeded"),
    ]
    return envelope(
        f"<checkDeployStatusResponse><result>{''.join(fields)}</result></checkDeployStatusResponse>"
    )


def component_failure(
    file_name: str, component_type: str, full_name: str, problem: str, line: int = 0
) -> str:
    position = f"<columnNumber>5</columnNumber><lineNumber>{line}</lineNumber>" if line else ""
    return (
        "<componentFailures><changed>false</changed>"
        f"{position}<componentType>{component_type}</componentType>"
        "<created>false</created><deleted>false</deleted>"
        f"<fileName>{file_name}</fileName><fullName>{full_name}</fullName>"
        f"<problem>{problem}</problem><problemType>Error</problemType>"
        "<success>false</success></componentFailures>"
    )


def run_test_result(
    successes: tuple[tuple[str, str], ...],
    failures: tuple[tuple[str, str, str, str], ...] = (),
    coverage: tuple[tuple[str, int, int], ...] = (),
    warnings: tuple[tuple[str, str], ...] = (),
) -> str:
    parts = [
        "<codeCoverage><id>01p000000000001</id>"
        f'<name>{name}</name><namespace xsi:nil="true"/><numLocations>{total}</numLocations>'
        f"<numLocationsNotCovered>{missed}</numLocationsNotCovered><type>Class</type>"
        "</codeCoverage>"
        for name, total, missed in coverage
    ]
    parts += [
        f"<codeCoverageWarnings><id>01p000000000001</id><message>{message}</message>"
        f'<name>{name}</name><namespace xsi:nil="true"/></codeCoverageWarnings>'
        for name, message in warnings
    ]
    parts += [
        f"<failures><id>01p000000000002</id><message>{escape(message)}</message>"
        f"<methodName>{method}</methodName><name>{name}</name>"
        f'<namespace xsi:nil="true"/><seeAllData>false</seeAllData>'
        f"<stackTrace>{escape(trace)}</stackTrace><time>31.0</time><type>Class</type></failures>"
        for name, method, message, trace in failures
    ]
    parts.append(f"<numFailures>{len(failures)}</numFailures>")
    parts.append(f"<numTestsRun>{len(successes) + len(failures)}</numTestsRun>")
    parts += [
        f"<successes><id>01p000000000003</id><methodName>{method}</methodName>"
        f'<name>{name}</name><namespace xsi:nil="true"/><seeAllData>false</seeAllData>'
        "<time>12.0</time></successes>"
        for name, method in successes
    ]
    parts.append("<totalTime>180.0</totalTime>")
    return f"<runTestResult>{''.join(parts)}</runTestResult>"


def org_record(kind: str) -> dict[str, Any]:
    return {
        "scratch": {
            "IsSandbox": False,
            "OrganizationType": "Developer Edition",
            "TrialExpirationDate": "2026-12-02T00:00:00.000+0000",
        },
        "sandbox": {
            "IsSandbox": True,
            "OrganizationType": "Enterprise Edition",
            "TrialExpirationDate": None,
        },
        "production": {
            "IsSandbox": False,
            "OrganizationType": "Enterprise Edition",
            "TrialExpirationDate": None,
        },
    }[kind]


def query_result(sobject: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """A REST query answer (REST API Developer Guide, "Execute a SOQL Query"): ``totalSize``,
    ``done`` and ``records``, each record with its ``attributes``."""
    return {
        "totalSize": len(records),
        "done": True,
        "records": [
            {
                "attributes": {
                    "type": sobject,
                    "url": f"/services/data/v{VERSION}/sobjects/{sobject}/{r.get('Id', '')}",
                },
                **r,
            }
            for r in records
        ],
    }


def cron_record(job_id: str, name: str, cron: str, state: str = "WAITING") -> dict[str, Any]:
    """A CronTrigger row with its CronJobDetail relationship (Object Reference: CronTrigger)."""
    return {
        "Id": job_id,
        "CronJobDetail": {"attributes": {"type": "CronJobDetail"}, "Name": name},
        "CronExpression": cron,
        "State": state,
        "NextFireTime": "2026-12-05T01:30:00.000+0000",
    }


SWEEPER_ID_FOR_TESTS = "08e5g00000SwEePAAA"

COMPOSITE_URL = f"{INSTANCE}/services/data/v{VERSION}/composite"
ANONYMOUS_URL = f"{INSTANCE}/services/data/v{VERSION}/tooling/executeAnonymous/"
PLANS_ROUTE_URL = f"{INSTANCE}/services/apexrest/stepforce/v1/plans"
COLLECTIONS_URL = f"{INSTANCE}/services/data/v{VERSION}/composite/sobjects"


def plan_resource(orchestration: str, version: str, latest: bool) -> dict[str, Any]:
    """A plan document's StaticResource row as the preflight's query returns it; the Id is
    made from the kind and the version, so tests can name it."""
    name = f"SfPlan_{orchestration[:8]}" if latest else f"SfPlanV_{version}"
    return {
        "Id": f"081{'L' if latest else 'V'}{version[:14]}",
        "Name": name,
        "Description": resource_description(orchestration, version, latest),
    }


_SCHEDULE_CALLS = ("StepforceSweeper.schedule(", "StepforceScheduledStart.schedule(")
_SCHEDULED_START = "StepforceScheduledStart.schedule("
_FORGET = "StepforceScheduledStart.forgetInputs("


def input_record(job_name: str, inputs_text: str) -> dict[str, Any]:
    """A Stepforce_Schedule_Input__c row as the runtime writes it (StepforceScheduledStart.
    recordInputs): the SHA-256 hex of the inputs text exactly as it was given."""
    return {
        "Job_Name__c": job_name,
        "Inputs_Hash__c": hashlib.sha256(inputs_text.encode("utf-8")).hexdigest(),
    }


def apex_literals(apex: str) -> list[str]:
    """The single-quoted string literals of an Apex text, unescaped, in order."""
    found = re.findall(r"'((?:[^'\\]|\\.)*)'", apex)
    return [re.sub(r"\\(.)", r"\1", text) for text in found]


@dataclass
class FakeOrg:
    """The org's answers to the lifecycle's queries, and what was sent to it: anonymous Apex,
    SOQL, plan documents deleted."""

    kind: str = "scratch"
    pending: list[dict[str, Any]] = field(default_factory=list)  # AsyncApexJob rows
    scheduled: list[dict[str, Any]] = field(default_factory=list)  # CronTrigger rows
    #: StaticResource rows per query, in order (the preflight's, then after the deploy); the
    #: last one answers every later query. ``plan_resource`` makes rows; an int: that query
    #: fails with that HTTP status.
    resources: list[list[dict[str, Any]] | int] = field(default_factory=list)
    #: The runtime's GET plans entries; an int: that HTTP status with the runtime's error.
    usage: list[dict[str, Any]] | int = field(default_factory=list)
    delete_errors: dict[str, str] = field(default_factory=dict)  # id -> DeleteResult code
    deleted: list[str] = field(default_factory=list)
    anonymous: list[str] = field(default_factory=list)
    soql: list[str] = field(default_factory=list)
    #: Stepforce_Schedule_Input__c rows (``input_record``); ``inputs_setting`` False: the
    #: org's runtime predates the custom setting (INVALID_TYPE, and nothing is recorded).
    inputs: list[dict[str, Any]] = field(default_factory=list)
    inputs_setting: bool = True

    def answer(self, soql: str) -> tuple[int, Any]:
        self.soql.append(soql)
        if "FROM Organization" in soql:
            return 200, query_result("Organization", [org_record(self.kind)])
        if "FROM AsyncApexJob" in soql:
            return 200, query_result("AsyncApexJob", self.pending)
        if "FROM CronTrigger" in soql:
            return 200, query_result("CronTrigger", self.scheduled)
        if "FROM Stepforce_Schedule_Input__c" in soql:
            if (
                not self.inputs_setting
            ):  # REST API Developer Guide, "Status Codes and Error Responses"
                message = (
                    "\nFROM Stepforce_Schedule_Input__c\n     ^\nERROR at Row:1:Column:42\n"
                    "sObject type 'Stepforce_Schedule_Input__c' is not supported."
                )
                return 400, [{"errorCode": "INVALID_TYPE", "message": message}]
            return 200, query_result("Stepforce_Schedule_Input__c", self.inputs)
        if "FROM StaticResource" in soql:
            rows = self.resources.pop(0) if len(self.resources) > 1 else (self.resources or [[]])[0]
            if isinstance(rows, int):  # that HTTP status, with the REST API's error array
                return rows, [{"errorCode": "INVALID_TYPE", "message": "sObject type refused"}]
            return 200, query_result("StaticResource", rows)
        return 400, [{"errorCode": "MALFORMED_QUERY", "message": soql}]

    def plans_route(self, _request: Any) -> tuple[int, dict[str, str], str]:
        """The runtime's ``GET plans`` (docs/runtime.md, "REST API")."""
        if isinstance(self.usage, int):
            error = [{"errorCode": "INSUFFICIENT_ACCESS", "message": "You may not do this"}]
            return self.usage, {}, json.dumps(error)
        return 200, {}, json.dumps({"versions": self.usage, "complete": True})

    def delete(self, request: Any) -> tuple[int, dict[str, str], str]:
        """sObject Collections DELETE (REST API Developer Guide, "Delete Records Using sObject
        Collections"): one DeleteResult per id, in order; a failure carries ``errors``."""
        ids = parse_qs(urlparse(request.url).query)["ids"][0].split(",")
        results: list[dict[str, Any]] = []
        for record_id in ids:
            code = self.delete_errors.get(record_id)
            if code is None:
                self.deleted.append(record_id)
                results.append({"id": record_id, "success": True, "errors": []})
            else:
                error = {"statusCode": code, "message": "refused", "fields": []}
                results.append({"success": False, "errors": [error]})
        return 200, {}, json.dumps(results)

    def composite(self, request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        answers = []
        for sub in body["compositeRequest"]:
            soql = unquote(sub["url"].split("?q=", 1)[1])
            status, payload = self.answer(soql)
            answers.append(
                {
                    "body": payload,
                    "httpHeaders": {},
                    "httpStatusCode": status,
                    "referenceId": sub["referenceId"],
                }
            )
        return 200, {}, json.dumps({"compositeResponse": answers})

    def query(self, request: Any) -> tuple[int, dict[str, str], str]:
        status, payload = self.answer(parse_qs(urlparse(request.url).query)["q"][0])
        return status, {}, json.dumps(payload)

    def execute(self, request: Any) -> tuple[int, dict[str, str], str]:
        """Run the anonymous Apex the lifecycle sends: abortJob and the two schedule calls
        change ``scheduled`` the way the org would; the runtime's schedule records the inputs
        and forgetInputs removes them (``inputs``)."""
        apex = parse_qs(urlparse(request.url).query)["anonymousBody"][0]
        self.anonymous.append(apex)
        for line in apex.splitlines():
            literals = apex_literals(line)
            if line.startswith("System.abortJob("):
                self.scheduled = [r for r in self.scheduled if r["Id"] != literals[0]]
            elif line.startswith(_SCHEDULE_CALLS):
                new_id = f"08e5g000{len(self.anonymous):02d}{len(self.scheduled):02d}NeWAAA"
                self.scheduled.append(cron_record(new_id, literals[0], literals[1]))
                if line.startswith(_SCHEDULED_START) and self.inputs_setting:
                    self._forget(literals[0])
                    self.inputs.append(input_record(literals[0], literals[3]))
            elif line.startswith(_FORGET):
                for name in literals:
                    self._forget(name)
        return 200, {}, json.dumps(ANONYMOUS_OK)

    def _forget(self, job_name: str) -> None:
        self.inputs = [r for r in self.inputs if r["Job_Name__c"] != job_name]

    def register(self, mocked: responses.RequestsMock) -> None:
        """Answer the composite, query and executeAnonymous endpoints from this org."""
        mocked.add_callback(responses.POST, COMPOSITE_URL, callback=self.composite)
        mocked.add_callback(responses.GET, QUERY_URL, callback=self.query)
        mocked.add_callback(responses.GET, ANONYMOUS_URL, callback=self.execute)
        mocked.add_callback(responses.GET, PLANS_ROUTE_URL, callback=self.plans_route)
        mocked.add_callback(responses.DELETE, COLLECTIONS_URL, callback=self.delete)

    def calls(self, mocked: responses.RequestsMock) -> list[str]:
        """The API calls made (method and path), the version listing left out."""
        return [
            f"{c.request.method} {urlparse(c.request.url).path}"
            for c in mocked.calls
            if urlparse(c.request.url).path != "/services/data/"
        ]


@pytest.fixture
def fake_org() -> FakeOrg:
    return FakeOrg()


@pytest.fixture
def org(mocked: responses.RequestsMock, fake_org: FakeOrg) -> Callable[[str], None]:
    """Register the version listing, queries (composite and plain) and anonymous Apex for an
    org of ``kind``; ``fake_org`` holds what the org answers."""

    def register(kind: str) -> None:
        fake_org.kind = kind
        mocked.get(
            f"{INSTANCE}/services/data/",
            json=[{"version": VERSION, "url": f"/services/data/v{VERSION}"}],
        )
        fake_org.register(mocked)

    return register


@pytest.fixture
def mocked() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


class FakeClock:
    """A clock that only moves when the poller "sleeps"; records every wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def time(self) -> float:
        return self.now

    def poller(self) -> Poller:
        return Poller(sleep=self.sleep, clock=self.time)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The deploy command's poller never sleeps in tests: time moves only on its waits."""
    fake = FakeClock()
    monkeypatch.setattr(deploy_cmd, "make_poller", fake.poller)
    return fake


def run_deploy(args: list[str]) -> int:
    """Run the command the way ``stepforce.cli.main.main`` does and return its exit code."""
    assert args[0] == "deploy"
    try:
        code = deploy_command.main(args[1:], prog_name="stepforce deploy", standalone_mode=False)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except StepforceError as error:
        click.echo(f"error: {error}", err=True)
        return error.exit_code
    return code if isinstance(code, int) else 0


def soap(mocked: responses.RequestsMock, url: str, *bodies: str) -> None:
    """Answer the next POSTs to ``url`` with these SOAP bodies, in order."""
    for body in bodies:
        mocked.post(url, body=body, content_type="text/xml")


@dataclass
class Deploying:
    """The org (``start`` registers it), the mocked endpoints and the captured output."""

    org: Callable[[str], None]
    fake_org: FakeOrg
    mocked: responses.RequestsMock
    capsys: pytest.CaptureFixture[str]

    def start(self, kind: str) -> tuple[FakeOrg, responses.RequestsMock]:
        self.org(kind)
        return self.fake_org, self.mocked

    def output(self) -> tuple[str, str]:
        captured = self.capsys.readouterr()
        return captured.out, captured.err


@pytest.fixture
def deploying(
    org: Callable[[str], None],
    fake_org: FakeOrg,
    mocked: responses.RequestsMock,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> Deploying:
    """Everything a deploy test needs; the poller never sleeps (``clock``)."""
    return Deploying(org, fake_org, mocked, capsys)


def lifecycle_project(project: Path, plan: DeployPlan) -> Path:
    """The project with the runtime's sweeper class and a manifest holding ``plan``."""
    classes = project / "force-app" / "main" / "default" / "classes"
    (classes / "StepforceSweeper.cls").write_text(
        "public without sharing class StepforceSweeper {\n}\n", encoding="utf-8"
    )
    (classes / "StepforceSweeper.cls-meta.xml").write_text(CLASS_META, encoding="utf-8")
    manifest = project / ".stepforce" / "manifest.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(
        json.dumps({"format": 1, "files": {}, "formatted": {}, "deploy": plan.to_json()}),
        encoding="utf-8",
    )
    return project


def succeeds(mocked: responses.RequestsMock, details: str = "", tests: int = 0) -> None:
    soap(mocked, SOAP_URL, deploy_response())
    soap(
        mocked,
        STATUS_URL,
        status_response(
            status="Succeeded",
            done=True,
            components=(14, 14, 0),
            tests=(tests, tests, 0),
            details=details,
        ),
    )
