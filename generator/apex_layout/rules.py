"""Documents for statements and expressions, following prettier-plugin-apex's printer.

Each function mirrors one handler of the plugin (named in its docstring), including how a
node prints depending on its parent: a call that is the ``dotted`` part of another prints
without a group of its own, a binary chain that is a call argument is indented, and so on.
"""

from __future__ import annotations

from stepforce.generator.apex_layout import nodes as n
from stepforce.generator.apex_layout.doc import (
    LINE,
    SOFTLINE,
    Doc,
    align,
    dedent,
    group,
    indent,
    join,
)
from stepforce.generator.apex_layout.lexer import LayoutUnsupported

# How the printer (not the parser) ranks operators: handleBinaryishExpression's tiers.
_PRINT_TIER = {
    "||": 0,
    "&&": 1,
    "|": 2,
    "^": 3,
    "&": 4,
    "==": 5,
    "!=": 5,
    "<": 5,
    ">": 5,
    "<=": 5,
    ">=": 5,
    "+": 7,
    "-": 7,
    "*": 8,
    "/": 8,
    "%": 8,
}

# Roles: how a node sits in its parent.
DOTTED = "dotted"  # the ``dotted`` part of a Call/Variable
PARAM = "param"  # an argument of a call or ``new`` (jorje's inputParameters)
RIGHT = "right"  # the right operand of a binary expression
OTHER = "other"


def unit_doc(unit: n.Unit) -> Doc:
    if isinstance(unit, n.ExprStatement):
        return [expr(unit.expr, None, OTHER), ";"]
    if isinstance(unit, n.Return):
        if unit.expr is None:
            return group(["return", ";"])
        docs: Doc = ["return", " ", expr(unit.expr, None, OTHER), ";"]
        return group(indent(docs)) if n.is_binaryish(unit.expr) else group(docs)
    if isinstance(unit, n.Throw):
        return ["throw", " ", expr(unit.expr, None, OTHER), ";"]
    if isinstance(unit, n.VarDecl):
        return group([_modifiers(unit.modifiers), unit.type.text(), " ", _declaration(unit), ";"])
    if isinstance(unit, n.MethodHeader):
        return _method_header(unit)
    if isinstance(unit, n.ClassHeader):
        # handleClassDeclaration: no group and no line, so never broken whatever its length.
        parts: list[Doc] = [_modifiers(unit.modifiers), "class ", unit.name]
        if unit.extends is not None:
            parts.append(" extends " + unit.extends.text())
        if unit.implements:
            parts.append(" implements " + ", ".join(t.text() for t in unit.implements))
        parts.append(" {")
        return parts
    if isinstance(unit, n.IfHeader):
        condition = expr(unit.condition, None, OTHER)
        return [
            unit.prefix,
            "if ",
            group(indent(["(", SOFTLINE, condition, dedent(SOFTLINE), ")"])),
            " {",
        ]
    if isinstance(unit, n.WhileHeader):
        condition = expr(unit.condition, None, OTHER)
        return ["while (", group(indent([SOFTLINE, condition, dedent(SOFTLINE)])), ") {"]
    if isinstance(unit, n.ForEachHeader):
        control = [unit.type.text(), " ", unit.name, " : ", expr(unit.expr, None, OTHER)]
        return ["for (", group(indent([SOFTLINE, control, dedent(SOFTLINE)])), ") {"]
    if isinstance(unit, n.SwitchHeader):
        return indent(["switch on", group([LINE, expr(unit.expr, None, OTHER)]), " {"])
    if isinstance(unit, n.WhenHeader):
        cases = [expr(value, None, OTHER) for value in unit.values]
        return ["when ", group(indent(join([",", LINE], cases))), " {"]
    raise LayoutUnsupported(type(unit).__name__)


def _modifiers(modifiers: list[str]) -> Doc:
    return "".join(f"{modifier} " for modifier in modifiers)


def _declaration(unit: n.VarDecl) -> Doc:
    """handleVariableDeclaration."""
    if unit.value is None:
        return group([unit.name])
    value = expr(unit.value, None, OTHER)
    if n.is_binaryish(unit.value):
        return group(indent([unit.name, " ", "=", LINE, value]))
    return group([unit.name, " = ", value])


def _method_header(unit: n.MethodHeader) -> Doc:
    """handleMethodDeclaration with the block's opening brace."""
    parts: list[Doc] = [_modifiers(unit.modifiers)]
    if unit.type is not None:
        parts.append(unit.type.text() + " ")
    parts += [unit.name, "("]
    if unit.params:
        params: list[Doc] = [
            [_modifiers(p.modifiers), p.type.text(), " ", p.name] for p in unit.params
        ]
        parts.append(group(indent([SOFTLINE, join([",", LINE], params), dedent(SOFTLINE)])))
    parts.append(") {")
    return parts


def _params(args: list[n.Expr]) -> Doc:
    """``[softline, join([",", line], params), dedent(softline)]``, each param in a group."""
    if not args:
        return ""
    docs = [group(expr(arg, None, PARAM)) for arg in args]
    return [SOFTLINE, join([",", LINE], docs), dedent(SOFTLINE)]


def _dotted(node: n.Call | n.Variable) -> Doc:
    """handleDottedExpression: the part before the names, a soft break, the dot."""
    if node.dotted is None:
        return ""
    if isinstance(node.dotted, n.This):
        return "this."
    return [expr(node.dotted, node, DOTTED), SOFTLINE, "."]


def _index_doc(index: n.Expr, with_group: bool) -> Doc:
    """handleArrayExpressionIndex."""
    if isinstance(index, n.Literal):
        parts: Doc = ["[", expr(index, None, OTHER), "]"]
    else:
        parts = ["[", SOFTLINE, expr(index, None, OTHER), dedent(SOFTLINE), "]"]
    return group(indent(parts)) if with_group else parts


def expr(node: n.Expr, parent: n.Expr | None, role: str, index: n.Expr | None = None) -> Doc:
    """The document of ``node``; ``index`` is the ``[..]`` an Index parent defers to it."""
    if isinstance(node, n.Literal):
        return node.text
    if isinstance(node, n.This):
        return "this"
    if isinstance(node, n.Call):
        return _call(node, role, index)
    if isinstance(node, n.Variable):
        dotted = _dotted(node)
        parts: list[Doc] = [dotted, ".".join(node.names)]
        if index is not None:
            parts.append(_index_doc(index, role == DOTTED or node.dotted is not None))
        if role == DOTTED:
            return parts
        return group(indent(parts))
    if isinstance(node, n.Index):
        if isinstance(node.expr, (n.Variable, n.Call)):
            return expr(node.expr, node, role, node.index)
        return group([expr(node.expr, node, OTHER), _index_doc(node.index, True)])
    if isinstance(node, n.Binary):
        return _binary(node, parent, role)
    if isinstance(node, n.NewStandard):
        return ["new ", group(indent([node.type.text(), "(", _params(node.args), ")"]))]
    if isinstance(node, n.NewCollection):
        return ["new ", _collection(node)]
    if isinstance(node, n.NewInit):
        types = ", ".join(t.text() for t in node.types)
        inner: list[Doc] = [f"{node.kind}<{types}>("]
        if node.expr is not None:
            inner += [SOFTLINE, expr(node.expr, node, OTHER), dedent(SOFTLINE)]
        return ["new ", group(indent([*inner, ")"]))]
    if isinstance(node, n.Ternary):
        return group(
            indent(
                [
                    expr(node.condition, node, OTHER),
                    LINE,
                    "? ",
                    group(align(2, expr(node.when_true, node, OTHER))),
                    LINE,
                    ": ",
                    group(align(2, expr(node.when_false, node, OTHER))),
                ]
            )
        )
    if isinstance(node, n.Cast):
        return ["(", node.type.text(), ") ", expr(node.expr, node, OTHER)]
    if isinstance(node, n.Nested):
        return ["(", expr(node.expr, node, OTHER), ")"]
    if isinstance(node, n.Prefix):
        return [node.op, expr(node.expr, node, OTHER)]
    if isinstance(node, n.Postfix):
        return [expr(node.expr, node, OTHER), node.op]
    if isinstance(node, n.InstanceOf):
        return [expr(node.expr, node, OTHER), " instanceof ", node.type.text()]
    if isinstance(node, n.ClassRef):
        return [node.type.text(), ".class"]
    if isinstance(node, n.Assign):
        return _assign(node)
    raise LayoutUnsupported(type(node).__name__)


def _call(node: n.Call, role: str, index: n.Expr | None) -> Doc:
    """handleMethodCallExpression."""
    dotted = _dotted(node)
    names = ".".join(node.names)
    params = _params(node.args)
    index_doc: Doc = (
        _index_doc(index, role == DOTTED or node.dotted is not None) if index is not None else ""
    )
    if role == DOTTED or isinstance(node.dotted, n.This):
        return [dotted, names, "(", group(indent(params)), ")", index_doc]
    if node.dotted is not None:
        return group(indent([dotted, names, "(", group(indent(params)), ")", index_doc]))
    return group(indent([dotted, group(names), "(", group(params), ")", index_doc]))


def _collection(node: n.NewCollection) -> Doc:
    """handleNewListLiteral / handleNewSetLiteral / handleNewMapLiteral."""
    separator = "." if node.kind == "List" else ", "
    parts: list[Doc] = [node.kind, "<", separator.join(t.text() for t in node.types), ">", "{"]
    items: list[Doc]
    if node.kind == "Map":
        items = [
            [expr(key, node, OTHER), " => ", expr(value, node, OTHER)] for key, value in node.pairs
        ]
    else:
        items = [expr(value, node, OTHER) for value in node.values]
    if items:
        parts += [LINE, join([",", LINE], items), dedent(LINE)]
    parts.append("}")
    return group(indent(parts))


def _assign(node: n.Assign) -> Doc:
    """handleAssignmentExpression."""
    left = expr(node.left, node, OTHER)
    right = expr(node.right, node, OTHER)
    if n.is_binaryish(node.right):
        return group(indent([left, " ", node.op, LINE, right]))
    return group([left, " ", node.op, " ", right])


def _binary(node: n.Binary, parent: n.Expr | None, role: str) -> Doc:
    """handleBinaryishExpression, case for case."""
    tier = _PRINT_TIER[node.op]
    left_binary = isinstance(node.left, n.Binary)
    nested = isinstance(parent, n.Binary)
    nested_right = nested and role == RIGHT
    same_as_left = isinstance(node.left, n.Binary) and tier == _PRINT_TIER[node.left.op]
    same_as_parent = isinstance(parent, n.Binary) and tier == _PRINT_TIER[parent.op]
    left = expr(node.left, node, OTHER)
    right = expr(node.right, node, RIGHT)
    left_child_without_grouping = (
        (same_as_left or not left_binary) and nested and same_as_parent and not nested_right
    )
    right_child_without_grouping = (
        not left_child_without_grouping and nested and same_as_parent and not nested_right
    )
    same_children = (
        isinstance(node.left, n.Binary)
        and isinstance(node.right, n.Binary)
        and _PRINT_TIER[node.left.op] == _PRINT_TIER[node.right.op]
    )
    top_most_without_grouping = same_as_left and not nested
    if left_child_without_grouping or same_children or top_most_without_grouping:
        docs: Doc = [left, " ", [node.op, LINE, right]]
        return indent(docs) if role == PARAM else docs
    if right_child_without_grouping:
        return [group(left), " ", [node.op, LINE, right]]
    return group([group(left), " ", group([node.op, LINE, right])])
