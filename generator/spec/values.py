"""Literal values and references: typing YAML scalars, coercing them, parsing ``$`` strings.

Numbers become Decimal, never float, so ``0.1`` stays exactly ``0.1`` in the generated Apex.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stepforce.generator.spec.model import LiteralValue, Ref, RefKind, Scalar, ValueType

_T = "tag:yaml.org,2002:"
_CONSTRUCTOR = SafeConstructor()
_ID = re.compile(r"[A-Za-z0-9]{15}([A-Za-z0-9]{3})?\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")  # ASCII digits, as Apex reads dates
_BASED = re.compile(r"[-+]?0([xXoO])([0-9a-fA-F]+)\Z")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]")
_REFS = (
    (re.compile(r"\$input\.([A-Za-z]\w*)\Z"), RefKind.INPUT),
    (re.compile(r"\$self\.([A-Za-z]\w*)\Z"), RefKind.SELF),
)
_STEP_REF = re.compile(r"\$steps\.([A-Za-z]\w*)\.([A-Za-z]\w*)\Z")

REF_HELP = "a reference is $input.X, $steps.Step.X or $self.X; start with '$$' for a literal '$'"


class ValueProblem(Exception):
    """A literal that cannot be read or converted; the message is in the user's terms."""


def _number(text: str) -> Decimal:
    # Python's Decimal reads any Unicode digit ("１２"); Apex's Decimal.valueOf only ASCII ones.
    if not text.isascii():
        raise ValueProblem(f"'{text}' is not a Number (write its digits as 0-9)")
    try:
        number = Decimal(text.replace("_", ""))
    except InvalidOperation:
        raise ValueProblem(f"'{text}' is not a Number") from None
    if not number.is_finite():
        raise ValueProblem(f"'{text}' is not a finite number")
    return number


def _ambiguous(text: str, number: str) -> ValueProblem:
    return ValueProblem(
        f"'{text}' is ambiguous: write '{text}' (quoted) for text, or {number} for a number"
    )


def _yaml_number(node: ScalarNode, number_slot: bool) -> Decimal:
    """A YAML 1.2 int or float, refusing the forms whose number differs from the text."""
    text = str(node.value)
    based = _BASED.match(text)
    if based:
        # YAML 1.2 reads 0x1F as 31; Apex, Flow and JSON have no such numbers.
        try:
            value = int(based.group(2), 16 if based.group(1) in "xX" else 8)
        except ValueError:
            raise ValueProblem(f"'{text}' is not a Number") from None
        raise _ambiguous(text, str(value))
    number = _number(text)
    if _LEADING_ZERO.match(text) and not number_slot:
        # YAML 1.1 reads 00501 as octal 321, YAML 1.2 as 501; text slots want "00501".
        raise _ambiguous(text, format(number, "f"))
    return number


def _timestamp(node: ScalarNode) -> dt.date:
    try:
        value = _CONSTRUCTOR.construct_yaml_timestamp(node)
    except (ValueError, AttributeError, TypeError, OverflowError) as error:
        reason = f" ({error})" if isinstance(error, ValueError) else ""
        raise ValueProblem(f"'{node.value}' is not a real date or date-time{reason}") from None
    assert isinstance(value, dt.date)
    return value


def scalar_value(node: ScalarNode, number_slot: bool = False) -> LiteralValue:
    """The typed value of one scalar (YAML 1.2 core schema, plus dates); raises ValueProblem.

    A number written with a leading zero is refused unless ``number_slot`` says a Number is
    expected there: ``00501`` may be a zip code (text) or 501, and the two differ.
    """
    tag = node.tag
    if tag == _T + "str":
        return str(node.value)
    if tag == _T + "null":
        return None
    if tag == _T + "bool":
        if str(node.value).lower() not in ("true", "false"):
            raise ValueProblem(f"'{node.value}' is not a boolean: write true or false")
        return str(node.value).lower() == "true"
    if tag in (_T + "int", _T + "float"):
        return _yaml_number(node, number_slot)
    if tag == _T + "timestamp":
        return _timestamp(node)
    raise ValueProblem(f"YAML tag '{tag}' is not supported; write a plain value")


def literal_value(node: Node, number_slot: bool = False) -> LiteralValue:
    """The typed literal of ``node``: a scalar or a flat list of scalars."""
    if isinstance(node, ScalarNode):
        return scalar_value(node, number_slot)
    if isinstance(node, SequenceNode):
        items: list[LiteralValue] = []
        for item in node.value:
            if not isinstance(item, ScalarNode):
                raise ValueProblem("a list value may only hold plain values, not lists or maps")
            items.append(scalar_value(item, number_slot))
        return items
    assert isinstance(node, MappingNode)
    raise ValueProblem("expected a value, found a mapping")


def scalar_type_of(value: LiteralValue) -> Scalar | None:
    if isinstance(value, bool):
        return Scalar.BOOLEAN
    if isinstance(value, Decimal):
        return Scalar.NUMBER
    if isinstance(value, dt.datetime):
        return Scalar.DATETIME
    if isinstance(value, dt.date):
        return Scalar.DATE
    if isinstance(value, str):
        return Scalar.TEXT
    return None


def literal_type(value: LiteralValue) -> ValueType | None:
    """The type a literal has on its own; ``None`` for null. Raises for untypable lists."""
    if not isinstance(value, list):
        scalar = scalar_type_of(value)
        return ValueType(scalar) if scalar else None
    scalars = {scalar_type_of(item) for item in value if item is not None}
    if not scalars:
        raise ValueProblem(
            "the type of an empty list (or one of nulls) is unknown; use the long form "
            "{value: [], type: List<Text>}"
        )
    if len(scalars) > 1:
        names = ", ".join(sorted(str(s) for s in scalars if s))
        raise ValueProblem(f"a list must hold values of one type, this one mixes {names}")
    (scalar,) = scalars
    assert scalar is not None
    return ValueType(scalar, is_list=True)


def _to_datetime(value: LiteralValue, raw: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    elif isinstance(value, str) and _DATE.match(value):
        return _to_datetime(_to_date(value, raw), raw)
    else:
        if not str(value).isascii():  # fromisoformat reads non-ASCII digits; Apex does not
            raise ValueProblem(f"'{raw}' is not a DateTime (2026-11-25T10:00:00Z)")
        try:
            parsed = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueProblem(f"'{raw}' is not a DateTime (2026-11-25T10:00:00Z)") from None
    if parsed.tzinfo is None:
        raise ValueProblem(f"DateTime '{raw}' needs a time zone, e.g. '{raw}Z' for UTC")
    return parsed


def _to_date(value: LiteralValue, raw: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueProblem(f"'{raw}' is not a Date (YYYY-MM-DD)")


_ID_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def _id18(value: str, raw: str) -> str:
    """The 18-character form of an Id, checking the case checksum of an 18-character one."""
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, c in enumerate(value[chunk * 5 : chunk * 5 + 5]) if c.isupper())
        suffix += _ID_SUFFIX[bits]
    if len(value) == 18 and value[15:].upper() != suffix:
        raise ValueProblem(f"'{raw}' is not a Salesforce Id (its last 3 characters do not match)")
    return value[:15] + suffix


def coerce_scalar(value: LiteralValue, raw: str, scalar: Scalar) -> LiteralValue:
    """Convert one literal to ``scalar`` like the engine would (docs/engine.md), or raise.

    ``raw`` is the text as written in YAML: for Text it is kept as written, so an unquoted
    ``00501`` declared as Text stays ``00501``.
    """
    if value is None:
        return None
    if scalar is Scalar.TEXT:
        return value if isinstance(value, str) else raw
    if scalar is Scalar.NUMBER:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, str):
            return _number(value)
    elif scalar is Scalar.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif scalar is Scalar.DATE:
        return _to_date(value, raw)
    elif scalar is Scalar.DATETIME:
        return _to_datetime(value, raw)
    elif isinstance(value, str) and _ID.match(value):
        return _id18(value, raw)
    else:
        raise ValueProblem(f"'{raw}' is not a Salesforce Id (15 or 18 letters and digits)")
    raise ValueProblem(f"'{raw}' is not a {scalar.value}")


def _coerce_item(node: ScalarNode, scalar: Scalar) -> LiteralValue:
    raw = str(unescape(node.value))
    if scalar in (Scalar.TEXT, Scalar.ID) and node.tag != _T + "null":
        # Declared text keeps an unquoted value exactly as written: 00501, 1:30, 2026-02-30.
        return coerce_scalar(raw, raw, scalar)
    value = unescape(scalar_value(node, number_slot=scalar is Scalar.NUMBER))
    return coerce_scalar(value, raw, scalar)


def coerce_node(node: Node, target: ValueType) -> LiteralValue:
    """The literal in ``node`` converted to ``target``; raises ValueProblem."""
    if isinstance(node, MappingNode):
        raise ValueProblem("expected a value, found a mapping")
    if isinstance(node, ScalarNode) and node.tag == _T + "null":
        return None
    if target.is_list:
        if not isinstance(node, SequenceNode):
            raise ValueProblem(f"expected a list for {target}, found a single value")
        if any(not isinstance(item, ScalarNode) for item in node.value):
            raise ValueProblem("a list value may only hold plain values, not lists or maps")
        return [_coerce_item(item, target.scalar) for item in node.value]
    if isinstance(node, SequenceNode):
        raise ValueProblem(f"expected a single {target} value, found a list")
    assert isinstance(node, ScalarNode)
    return _coerce_item(node, target.scalar)


def _scalar_items(node: Node) -> list[ScalarNode]:
    if isinstance(node, ScalarNode):
        return [node]
    if isinstance(node, SequenceNode):
        return [item for item in node.value if isinstance(item, ScalarNode)]
    return []


def plain_literal(node: Node, target: ValueType | None) -> tuple[LiteralValue, ValueType | None]:
    """A literal where references are not allowed (defaults, schedule inputs, long-form
    values), with its type: ``target`` when given, else the literal's own type."""
    texts = [item.value for item in _scalar_items(node) if item.tag == _T + "str"]
    if any(is_reference_text(text) for text in texts):
        raise ValueProblem(f"references are not allowed here; {REF_HELP}")
    if target is not None:
        return coerce_node(node, target), target
    value = unescape(literal_value(node))
    return value, literal_type(value)


def parse_ref(text: str) -> Ref | None:
    """``text`` as a reference, or ``None`` when it is malformed (caller reports REF_HELP)."""
    for pattern, kind in _REFS:
        match = pattern.match(text)
        if match:
            return Ref(kind, match.group(1))
    match = _STEP_REF.match(text)
    if match:
        return Ref(RefKind.STEPS, match.group(2), step=match.group(1))
    return None


def is_reference_text(value: LiteralValue) -> bool:
    return isinstance(value, str) and value.startswith("$") and not value.startswith("$$")


def unescape(value: LiteralValue) -> LiteralValue:
    """``$$x`` -> ``$x`` (a literal that starts with ``$``), applied to list items too."""
    if isinstance(value, str) and value.startswith("$$"):
        return value[1:]
    if isinstance(value, list):
        return [unescape(item) for item in value]
    return value
