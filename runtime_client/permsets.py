"""Assign permission sets to the user a connection acts as: what a developer does right after
deploying the runtime to a scratch org, since the runtime serves users in user mode and fields
deployed through the Metadata API are readable only through a permission set.

All calls go through a ``simple_salesforce.Salesforce``: the OAuth ``userinfo`` endpoint for
the user's id, two SOQL queries per set (values quoted with ``format_soql``) and one insert of
a ``PermissionSetAssignment`` when the user does not hold the set yet. Assigning is therefore
safe to repeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from simple_salesforce.format import format_soql
from simple_salesforce.util import call_salesforce

from stepforce.apex_text import IDENTIFIER
from stepforce.errors import OrgError, UsageError

_USER_ID = re.compile(r"^005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")


@dataclass(frozen=True)
class Assignment:
    permission_set: str
    already: bool  # the user held it before

    def to_json(self) -> dict[str, Any]:
        return {"permissionSet": self.permission_set, "alreadyAssigned": self.already}


def check_permission_set_names(names: tuple[str, ...]) -> tuple[str, ...]:
    for name in names:
        if not IDENTIFIER.match(name) or len(name) > 80:
            raise UsageError(f"{name!r} is not a permission set API name")
    return names


def current_user_id(sf: Any) -> str:
    """The id of the user the session belongs to (OpenID Connect ``userinfo``)."""
    response = call_salesforce(
        url=f"https://{sf.sf_instance}/services/oauth2/userinfo",
        method="GET",
        session=sf.session,
        headers=dict(sf.headers),  # call_salesforce updates the dict it gets
    )
    user_id = str(response.json().get("user_id", ""))
    if not _USER_ID.match(user_id):
        raise OrgError("userinfo returned no user id")
    return user_id


def assign_permission_sets(sf: Any, names: tuple[str, ...]) -> list[Assignment]:
    """Assign each set (by API name) to the current user unless it is assigned already."""
    check_permission_set_names(names)
    user_id = current_user_id(sf)
    done = []
    for name in names:
        found = sf.query(format_soql("SELECT Id FROM PermissionSet WHERE Name = {}", name))
        records = found.get("records") or []
        if not records:
            raise OrgError(f"the org has no permission set named {name} (is the runtime deployed?)")
        permission_set_id = records[0]["Id"]
        held = sf.query(
            format_soql(
                "SELECT Id FROM PermissionSetAssignment "
                "WHERE AssigneeId = {} AND PermissionSetId = {}",
                user_id,
                permission_set_id,
            )
        )
        if held.get("totalSize", 0):
            done.append(Assignment(name, already=True))
            continue
        sf.PermissionSetAssignment.create(
            {"AssigneeId": user_id, "PermissionSetId": permission_set_id}
        )
        done.append(Assignment(name, already=False))
    return done
