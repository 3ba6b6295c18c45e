"""Salesforce naming rules: what a class, Flow, field or namespace name may look like.

Apex identifiers, Flow API names and custom field names share one rule: letters, digits and
single underscores, starting with a letter and not ending with an underscore. Apex compares
names without regard to case, so reserved words and collisions are checked case-insensitively.
"""

from __future__ import annotations

import re

#: Salesforce's "Reserved Keywords" table (Apex Developer Guide, API 56.0 and later): these
#: words can only be keywords, whatever their case.
_RESERVED_TEXT = """
    abstract activate and any array as asc autonomous begin bigdecimal blob boolean break bulk
    by byte case cast catch char class collect commit const continue currency date datetime
    decimal default delete desc do double else end enum exception exit export extends false
    final finally float for from global goto group having hint if implements import in inner
    insert instanceof int integer interface into join like limit list long loop map merge new
    not null nulls number object of on or outer override package parallel pragma private
    protected public retrieve return rollback select set short sobject sort static string super
    switch synchronized system testmethod then this throw time transaction trigger true try
    undelete update upsert using virtual void webservice when where while
"""
APEX_RESERVED = frozenset(_RESERVED_TEXT.split())

#: Apex class, Flow API name, step and field names.
MAX_NAME = 40
#: A managed package namespace prefix.
MAX_NAMESPACE = 15

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def name_problem(name: str, what: str, max_length: int = MAX_NAME) -> str | None:
    """Why ``name`` can never be a valid Salesforce name, or ``None`` when it can.

    ``what`` names the thing in the user's terms ("step name", "Apex class") for the message.
    """
    if not name:
        return f"{what} is empty"
    if not _IDENTIFIER.match(name):
        if not name[0].isascii() or not name[0].isalpha():
            return f"{what} '{name}' must start with a letter (A-Z, a-z)"
        return f"{what} '{name}' may only contain letters, digits and underscores"
    if "__" in name:
        return f"{what} '{name}' contains '__' (two underscores in a row are not allowed)"
    if name.endswith("_"):
        return f"{what} '{name}' ends with an underscore"
    if len(name) > max_length:
        return f"{what} '{name}' is {len(name)} characters long; the limit is {max_length}"
    if name.lower() in APEX_RESERVED:
        return f"{what} '{name}' is an Apex reserved word"
    return None
