import { createElement } from "lwc";
import StepforceJsonViewer, { formatSize } from "c/stepforceJsonViewer";

function mount(props) {
  const element = createElement("c-stepforce-json-viewer", {
    is: StepforceJsonViewer
  });
  Object.assign(element, props);
  document.body.appendChild(element);
  return element;
}

async function settle() {
  await Promise.resolve();
}

describe("c-stepforce-json-viewer", () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it("pretty-prints a small value right away", () => {
    const element = mount({ label: "outputs", value: { fetched: 4 } });
    expect(element.shadowRoot.querySelector("pre.json-text").textContent).toBe(
      '{\n  "fetched": 4\n}'
    );
    expect(element.shadowRoot.querySelector("button.json-toggle")).toBeNull();
  });

  it("says so when there is no value", () => {
    const element = mount({ label: "outputs", value: null });
    expect(element.shadowRoot.textContent).toContain("No outputs");
    expect(element.shadowRoot.querySelector("pre")).toBeNull();
  });

  it("collapses a large value behind a summary and renders it on demand", async () => {
    const rows = {};
    for (let i = 0; i < 2000; i++) {
      rows[`invoice_${i}`] = { amount: i * 10, currency: "EUR" };
    }
    const element = mount({ label: "context", value: rows });

    expect(element.shadowRoot.querySelector("pre.json-text")).toBeNull();
    const summary = element.shadowRoot.querySelector(".json-summary").textContent;
    expect(summary).toMatch(
      /^context: 2000 keys \(invoice_0, invoice_1, invoice_2, invoice_3, invoice_4, \+1995 more\), \d+\.\d KB$/
    );
    const toggle = element.shadowRoot.querySelector("button.json-toggle");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");

    toggle.click();
    await settle();

    const text = element.shadowRoot.querySelector("pre.json-text").textContent;
    expect(JSON.parse(text)).toEqual(rows);
    expect(toggle.textContent.trim()).toBe("Hide context");
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
  });

  it("collapses again when a new value arrives", async () => {
    const big = { text: "x".repeat(5000) };
    const element = mount({ label: "inputs", value: big });
    element.shadowRoot.querySelector("button.json-toggle").click();
    await settle();
    element.value = { text: "y".repeat(5000) };
    await settle();
    expect(element.shadowRoot.querySelector("pre.json-text")).toBeNull();
  });

  it("summarises a large array by its length", () => {
    const element = mount({ label: "rows", value: new Array(1000).fill("row"), collapseAbove: 100 });
    expect(element.shadowRoot.querySelector(".json-summary").textContent).toMatch(
      /^rows: 1000 items, \d+\.\d KB$/
    );
  });

  it("formats sizes in characters then KB", () => {
    expect(formatSize(512)).toBe("512 characters");
    expect(formatSize(2048)).toBe("2.0 KB");
  });

  it("is accessible collapsed and expanded", async () => {
    const element = mount({ label: "context", value: { text: "x".repeat(5000) } });
    await expect(element).toBeAccessible();
    element.shadowRoot.querySelector("button.json-toggle").click();
    await settle();
    await expect(element).toBeAccessible();
  });
});
