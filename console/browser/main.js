// Mounts one console component with the scenario named in the page's hash, then writes the
// text a person sees (through shadow roots, visible nodes only) into #visible-text for
// --dump-dom.
import "@lwc/synthetic-shadow";
import { createElement } from "lwc";
import StepforceRunTimeline from "c/stepforceRunTimeline";
import StepforceOverview from "c/stepforceOverview";
import { SCENARIOS } from "./scenarios.js";

const scenario = SCENARIOS[window.location.hash.slice(1)];
window.__STEPFORCE__ = scenario;
const element =
  scenario.component === "overview"
    ? createElement("c-stepforce-overview", { is: StepforceOverview })
    : createElement("c-stepforce-run-timeline", { is: StepforceRunTimeline });
element.recordId = scenario.recordId;
document.getElementById("root").appendChild(element);

function visibleText(node, out) {
  if (node.nodeType === Node.TEXT_NODE) {
    const text = node.textContent.trim();
    if (text && node.parentElement && node.parentElement.checkVisibility()) {
      out.push(text);
    }
    return out;
  }
  if (node.shadowRoot) {
    visibleText(node.shadowRoot, out);
  }
  for (const child of node.childNodes) {
    visibleText(child, out);
  }
  return out;
}

// Every element matching selector, through shadow roots.
function deepQuery(node, selector, out) {
  if (node.matches && node.matches(selector)) {
    out.push(node);
  }
  if (node.shadowRoot) {
    deepQuery(node.shadowRoot, selector, out);
  }
  for (const child of node.children || []) {
    deepQuery(child, selector, out);
  }
  return out;
}

setTimeout(() => {
  for (const selector of scenario.expand || []) {
    for (const details of deepQuery(document.getElementById("root"), selector, [])) {
      details.open = true;
    }
  }
  setTimeout(() => {
    const out = document.getElementById("visible-text");
    out.textContent = visibleText(document.getElementById("root"), []).join("\n");
    document.body.dataset.rendered = "true";
  }, 100);
}, 300);
