"""The relay trigger's PlatformEventSubscriberConfig ships with the handler's slice size.

``StepforceRelay.handle`` takes ``EVENTS_PER_EXECUTION`` events per execution (each locks a run
and loads a context of up to ~2 MB) and checkpoints the rest; the shipped config asks the
platform for batches of that size in the first place (docs/runtime.md, "Chain depth and the
relay"). No Salesforce tool ties the two numbers together; this test does.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from stepforce.generator.project import runtime_files

DEFAULT = Path(__file__).resolve().parents[2] / "templates" / "force-app" / "main" / "default"
CONFIG = (
    DEFAULT
    / "platformEventSubscriberConfigs"
    / "StepforceRelayTriggerConfig.platformEventSubscriberConfig-meta.xml"
)
NS = {"md": "http://soap.sforce.com/2006/04/metadata"}


def _slice_size() -> int:
    source = (DEFAULT / "classes" / "StepforceRelay.cls").read_text(encoding="utf-8")
    match = re.search(r"static final Integer EVENTS_PER_EXECUTION = (\d+);", source)
    assert match, "StepforceRelay declares no EVENTS_PER_EXECUTION"
    return int(match.group(1))


def test_the_relay_trigger_batch_size_is_the_handlers_slice() -> None:
    root = etree.parse(str(CONFIG)).getroot()
    assert root.findtext("md:platformEventConsumer", namespaces=NS) == "StepforceRelayTrigger"
    assert int(root.findtext("md:batchSize", namespaces=NS) or "0") == _slice_size()


def test_the_config_names_no_user_so_it_deploys_to_any_org() -> None:
    # A username is specific to one org; the trigger then runs as the Automated Process user.
    root = etree.parse(str(CONFIG)).getroot()
    assert root.find("md:user", NS) is None


def test_the_config_ships_in_the_runtime_package_data() -> None:
    assert (
        "main/default/platformEventSubscriberConfigs/"
        "StepforceRelayTriggerConfig.platformEventSubscriberConfig-meta.xml"
    ) in runtime_files()
