"""The data-flow graph of an orchestration, as Mermaid, Graphviz DOT or plain data.

Nodes are the run inputs (a source) and the steps; an edge carries the names an earlier
output feeds into (``fetched->total``); a repeating step has a self-edge ``until X (max N)``.
Output is deterministic: nodes in step order, edges in order of first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stepforce.generator.spec.model import Orchestration, Ref, RefKind, Step

#: Step names cannot contain "__", so this id never collides with a step.
INPUTS_NODE = "run__inputs"


@dataclass(frozen=True)
class GraphNode:
    id: str
    label: str
    kind: str  # "inputs" | "Flow" | "Apex"
    target: str = ""
    details: tuple[str, ...] = ()


@dataclass
class GraphEdge:
    source: str
    target: str
    mappings: list[tuple[str, str]] = field(default_factory=list)  # (output, input)
    loop: str = ""  # the repeat label of a self-edge

    @property
    def label(self) -> str:
        if self.loop:
            return self.loop
        return ", ".join(f"{out}->{into}" for out, into in self.mappings)


@dataclass(frozen=True)
class Graph:
    name: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "orchestration": self.name,
            "nodes": [
                {"id": n.id, "kind": n.kind, "target": n.target, "details": list(n.details)}
                for n in self.nodes
            ],
            "edges": [
                {
                    "from": e.source,
                    "to": e.target,
                    "label": e.label,
                    "mappings": [{"output": o, "input": i} for o, i in e.mappings],
                    "repeat": bool(e.loop),
                }
                for e in self.edges
            ],
        }


def _details(step: Step) -> tuple[str, ...]:
    target = f"{step.namespace}.{step.target}" if step.namespace else step.target
    lines = [f"{step.kind.value}: {target}"]
    if step.retry.attempts > 1:
        delays = ", ".join(str(d) for d in step.retry.delay_minutes)
        lines.append(f"retry: {step.retry.attempts} attempts (delay {delays} min)")
    if step.callouts:
        lines.append("callouts")
    if step.on_failure.value == "continue":
        lines.append("on failure: continue")
    return tuple(lines)


def _source_of(ref: Ref) -> str:
    if ref.kind is RefKind.INPUT:
        return INPUTS_NODE
    return ref.step or ""


def build_graph(orchestration: Orchestration) -> Graph:
    nodes = []
    if orchestration.inputs:
        nodes.append(GraphNode(INPUTS_NODE, "run inputs", "inputs"))
    edges: dict[tuple[str, str], GraphEdge] = {}
    for step in orchestration.steps:
        nodes.append(GraphNode(step.name, step.name, step.kind.value, step.target, _details(step)))
        for binding in step.inputs:
            ref = binding.value
            if not isinstance(ref, Ref) or ref.kind is RefKind.SELF:
                continue  # literals have no source; $self is drawn by the repeat loop
            key = (_source_of(ref), step.name)
            edges.setdefault(key, GraphEdge(*key)).mappings.append((ref.name, binding.target))
        if step.repeat is not None:
            loop = f"until {step.repeat.until} (max {step.repeat.max_iterations})"
            edges[(step.name, step.name)] = GraphEdge(step.name, step.name, loop=loop)
    return Graph(orchestration.name, tuple(nodes), tuple(edges.values()))


def _node_id(graph_id: str) -> str:
    """Renderer ids: prefixed so a step called ``click`` or ``style`` is no Mermaid keyword."""
    return graph_id if graph_id == INPUTS_NODE else f"s_{graph_id}"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(graph: Graph) -> str:
    lines = ["flowchart TD"]
    for node in graph.nodes:
        if node.kind == "inputs":
            lines.append(f'  {_node_id(node.id)}[/"{node.label}"/]')
        else:
            label = "<br/>".join(_mermaid_text(t) for t in (node.label, *node.details))
            lines.append(f'  {_node_id(node.id)}["{label}"]')
    for edge in graph.edges:
        source, target = _node_id(edge.source), _node_id(edge.target)
        lines.append(f'  {source} -->|"{_mermaid_text(edge.label)}"| {target}')
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(graph: Graph) -> str:
    lines = [f'digraph "{_dot_text(graph.name)}" {{', "  rankdir=TB;", "  node [shape=box];"]
    for node in graph.nodes:
        if node.kind == "inputs":
            lines.append(f'  {_node_id(node.id)} [label="{node.label}", shape=invhouse];')
        else:
            label = "\\n".join(_dot_text(t) for t in (node.label, *node.details))
            lines.append(f'  {_node_id(node.id)} [label="{label}"];')
    for edge in graph.edges:
        style = ", style=dashed" if edge.loop else ""
        source, target = _node_id(edge.source), _node_id(edge.target)
        lines.append(f'  {source} -> {target} [label="{_dot_text(edge.label)}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"
