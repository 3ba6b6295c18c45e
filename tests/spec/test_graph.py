from __future__ import annotations

from stepforce.generator.graph import build_graph, to_dot, to_mermaid
from stepforce.generator.spec import load_spec
from tests.conftest import EXAMPLES, REPO
from tests.spec.support import load

SPEC = """\
orchestration: Pager
inputs:
  since: Date
steps:
  - name: Fetch
    apex: Fetcher
    callouts: true
    inputs: {since: $input.since, cursor: $self.cursor, size: 50}
    outputs: {cursor: Text, count: Number, done: Boolean}
    repeat: {until: done, max_iterations: 20}
    retry: {attempts: 3, delay_minutes: [1, 5]}
  - name: Report
    flow: Report_Flow
    namespace: acme
    inputs: {total: $steps.Fetch.count, last: $steps.Fetch.cursor, day: $input.since}
    on_failure: continue
"""

MERMAID = """\
flowchart TD
  run__inputs[/"run inputs"/]
  s_Fetch["Fetch<br/>Apex: Fetcher<br/>retry: 3 attempts (delay 1, 5 min)<br/>callouts"]
  s_Report["Report<br/>Flow: acme.Report_Flow<br/>on failure: continue"]
  run__inputs -->|"since->since"| s_Fetch
  s_Fetch -->|"until done (max 20)"| s_Fetch
  s_Fetch -->|"count->total, cursor->last"| s_Report
  run__inputs -->|"since->day"| s_Report
"""

DOT = """\
digraph "Pager" {
  rankdir=TB;
  node [shape=box];
  run__inputs [label="run inputs", shape=invhouse];
  s_Fetch [label="Fetch\\nApex: Fetcher\\nretry: 3 attempts (delay 1, 5 min)\\ncallouts"];
  s_Report [label="Report\\nFlow: acme.Report_Flow\\non failure: continue"];
  run__inputs -> s_Fetch [label="since->since"];
  s_Fetch -> s_Fetch [label="until done (max 20)", style=dashed];
  s_Fetch -> s_Report [label="count->total, cursor->last"];
  run__inputs -> s_Report [label="since->day"];
}
"""


def test_mermaid_golden() -> None:
    assert to_mermaid(build_graph(load(SPEC))) == MERMAID


def test_dot_golden() -> None:
    assert to_dot(build_graph(load(SPEC))) == DOT


def test_json_shape() -> None:
    data = build_graph(load(SPEC)).to_json()
    assert data["orchestration"] == "Pager"
    assert [n["id"] for n in data["nodes"]] == ["run__inputs", "Fetch", "Report"]
    assert data["nodes"][1]["kind"] == "Apex"
    assert data["nodes"][2]["target"] == "Report_Flow"
    loop = data["edges"][1]
    assert (loop["from"], loop["to"], loop["repeat"]) == ("Fetch", "Fetch", True)
    assert data["edges"][2]["mappings"] == [
        {"output": "count", "input": "total"},
        {"output": "cursor", "input": "last"},
    ]


def test_no_inputs_node_without_run_inputs() -> None:
    graph = build_graph(load("orchestration: One\nsteps:\n  - {name: Only, flow: F}\n"))
    assert to_mermaid(graph) == 'flowchart TD\n  s_Only["Only<br/>Flow: F"]\n'


def test_docs_show_the_current_graph_of_the_invoice_example() -> None:
    mermaid = to_mermaid(build_graph(load_spec(EXAMPLES / "invoice_sync.yaml")))
    assert mermaid in (REPO / "docs" / "spec.md").read_text()
