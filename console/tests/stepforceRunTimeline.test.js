import { createElement } from "lwc";
import StepforceRunTimeline, {
  FIRST_DELAY_MS,
  MAX_DELAY_MS
} from "c/stepforceRunTimeline";
import getRunView from "@salesforce/apex/StepforceConsoleController.getRunView";
import pauseRun from "@salesforce/apex/StepforceConsoleController.pauseRun";
import cancelRun from "@salesforce/apex/StepforceConsoleController.cancelRun";
import retryRun from "@salesforce/apex/StepforceConsoleController.retryRun";
import LightningConfirm from "lightning/confirm";
import { getRecord } from "lightning/uiRecordApi";
// The event name ShowToastEvent dispatches (the sfdx-lwc-jest stub does not export it).
const ShowToastEventName = "lightning__showtoast";
import { run, step, view } from "./fixtures";

jest.mock(
  "@salesforce/apex/StepforceConsoleController.getRunView",
  () => ({ default: jest.fn() }),
  { virtual: true }
);
jest.mock(
  "@salesforce/apex/StepforceConsoleController.pauseRun",
  () => ({ default: jest.fn() }),
  { virtual: true }
);
jest.mock(
  "@salesforce/apex/StepforceConsoleController.resumeRun",
  () => ({ default: jest.fn() }),
  { virtual: true }
);
jest.mock(
  "@salesforce/apex/StepforceConsoleController.cancelRun",
  () => ({ default: jest.fn() }),
  { virtual: true }
);
jest.mock(
  "@salesforce/apex/StepforceConsoleController.retryRun",
  () => ({ default: jest.fn() }),
  { virtual: true }
);
jest.mock("lightning/confirm", () => ({
  __esModule: true,
  default: { open: jest.fn() }
}));

// Lets awaited Apex promises settle (works under fake timers too).
async function settle() {
  for (let i = 0; i < 5; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

async function mount(runJson, allowedActions) {
  getRunView.mockResolvedValue(view(runJson, allowedActions));
  const element = createElement("c-stepforce-run-timeline", {
    is: StepforceRunTimeline
  });
  element.recordId = runJson.id;
  document.body.appendChild(element);
  await settle();
  return element;
}

function buttons(element) {
  const found = {};
  element.shadowRoot.querySelectorAll("button[data-action]").forEach((b) => {
    found[b.dataset.action] = b;
  });
  return found;
}

function text(element) {
  return element.shadowRoot.textContent;
}

describe("c-stepforce-run-timeline", () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    jest.useRealTimers();
  });

  it("shows one row per step run with attempt, iteration, duration and ran-as", async () => {
    const element = await mount(
      run({
        steps: [
          step(),
          step({
            id: "a01000000000002AAA",
            step: "Post",
            type: "Flow",
            status: "Failed",
            attempt: 2,
            iteration: 3,
            error: "Post failed: 503",
            ranAs: "005000000000009AAA",
            startedAt: "2026-11-25T10:01:00.000Z",
            finishedAt: "2026-11-25T10:03:05.000Z"
          })
        ]
      }),
      ["pause", "cancel"]
    );

    const rows = element.shadowRoot.querySelectorAll("li.step-row");
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain("Fetch");
    expect(rows[0].querySelector(".duration").textContent).toBe("1.5 s");
    expect(rows[1].textContent).toContain("Attempt 2, iteration 3");
    expect(rows[1].querySelector(".duration").textContent).toBe("2 min 5 s");
    expect(rows[1].querySelector(".ran-as").textContent).toContain(
      "005000000000009AAA"
    );
    const error = rows[1].querySelector("details.step-error");
    expect(error.open).toBe(false);
    expect(error.textContent).toContain("Post failed: 503");
    expect(text(element)).toContain("Invoice_Sync");
    expect(text(element)).toContain("Api");
    expect(text(element)).toContain("2026-11-25 10:00:00 UTC");
  });

  it("loads the next page of step runs on demand, as GET runs/{id} pages them", async () => {
    const element = await mount(
      run({ steps: [step()], stepsTotal: 2, stepsNext: "1", stepsTruncated: true }),
      []
    );
    const more = element.shadowRoot.querySelector("button.more-steps");
    expect(more.textContent.trim()).toBe("Load more steps (1 of 2 shown)");
    getRunView.mockResolvedValueOnce(
      view(
        run({
          steps: [step({ id: "a01000000000002AAA", step: "Post" })],
          stepsTotal: 2,
          stepsNext: null,
          stepsTruncated: false
        }),
        []
      )
    );

    more.click();
    await settle();

    expect(getRunView).toHaveBeenLastCalledWith({
      runId: "a00000000000001AAA",
      stepsAfter: "1"
    });
    const names = [...element.shadowRoot.querySelectorAll(".step-name")].map(
      (node) => node.textContent
    );
    expect(names).toEqual(["Fetch", "Post"]);
    expect(element.shadowRoot.querySelector("button.more-steps")).toBeNull();
  });

  it("shows the plan version when the run has one", async () => {
    const element = await mount(run({ planVersion: "3f2a9c" }), []);
    expect(element.shadowRoot.querySelector(".plan-version").textContent).toBe("3f2a9c");
  });

  it("shows the starter from the run record", async () => {
    const element = await mount(run(), []);
    getRecord.emit({
      fields: { CreatedBy: { value: { fields: { Name: { value: "Ada Admin" } } } } }
    });
    await settle();
    expect(element.shadowRoot.querySelector(".starter").textContent).toBe(
      "Ada Admin"
    );
  });

  it("warns when a step used 80% or more of an async limit, as the CLI does", async () => {
    const element = await mount(
      run({
        steps: [
          step({ limits: { soql: 160, dml: 1, cpuMs: 100, heapBytes: 10, callouts: 0 } })
        ]
      }),
      []
    );
    const bars = element.shadowRoot.querySelectorAll("[role=progressbar]");
    expect(bars).toHaveLength(5);
    expect(bars[0].getAttribute("aria-valuenow")).toBe("80");
    expect(bars[0].getAttribute("aria-label")).toBe(
      "SOQL queries: 160 of 200 (80%) - near the limit"
    );
    expect(element.shadowRoot.querySelector(".near-limit")).not.toBeNull();
  });

  it("does not warn below 80% of every limit", async () => {
    const element = await mount(
      run({ steps: [step({ limits: { soql: 159, dml: 1, cpuMs: 100, heapBytes: 10, callouts: 0 } })] }),
      []
    );
    expect(element.shadowRoot.querySelector(".near-limit")).toBeNull();
  });

  it.each([
    ["Running", ["pause", "cancel"]],
    ["Paused", ["resume", "cancel"]],
    ["Failed", ["retry"]],
    ["Succeeded", []]
  ])("enables only the actions allowed for a %s run", async (status, allowed) => {
    const element = await mount(run({ status }), allowed);
    const found = buttons(element);
    for (const name of ["pause", "resume", "cancel", "retry"]) {
      expect([name, found[name].disabled]).toEqual([name, !allowed.includes(name)]);
    }
  });

  it("disables every action and says why when the user may not control runs", async () => {
    const element = await mount(run({ status: "Running" }), []);
    expect(Object.values(buttons(element)).every((b) => b.disabled)).toBe(true);
    expect(element.shadowRoot.querySelector(".no-actions").textContent).toContain(
      "No action is available for a Running run"
    );
  });

  it("pauses after confirmation and toasts the outcome", async () => {
    const element = await mount(run(), ["pause", "cancel"]);
    LightningConfirm.open.mockResolvedValue(true);
    pauseRun.mockResolvedValue(JSON.stringify(run({ status: "Paused", steps: undefined })));
    const toast = jest.fn();
    element.addEventListener(ShowToastEventName, toast);

    buttons(element).pause.click();
    await settle();
    await settle();

    expect(LightningConfirm.open).toHaveBeenCalledWith(
      expect.objectContaining({ label: "Pause run" })
    );
    expect(pauseRun).toHaveBeenCalledWith({ runId: "a00000000000001AAA" });
    expect(toast).toHaveBeenCalledTimes(1);
    expect(toast.mock.calls[0][0].detail).toEqual({
      title: "Run paused",
      message: "Invoice_Sync is now Paused.",
      variant: "success"
    });
    expect(getRunView).toHaveBeenCalledTimes(2);
  });

  it("does nothing when the confirmation is declined", async () => {
    const element = await mount(run(), ["pause", "cancel"]);
    LightningConfirm.open.mockResolvedValue(false);
    buttons(element).cancel.click();
    await settle();
    expect(cancelRun).not.toHaveBeenCalled();
  });

  it("toasts the service's message when an action is refused", async () => {
    const element = await mount(run(), ["pause", "cancel"]);
    LightningConfirm.open.mockResolvedValue(true);
    cancelRun.mockRejectedValue({
      body: { message: "Cannot cancel a run that is Succeeded" }
    });
    const toast = jest.fn();
    element.addEventListener(ShowToastEventName, toast);

    buttons(element).cancel.click();
    await settle();
    await settle();

    expect(toast.mock.calls[0][0].detail).toEqual({
      title: "Could not cancel the run",
      message: "Cannot cancel a run that is Succeeded",
      variant: "error"
    });
  });

  it("retries from the chosen step with input overrides", async () => {
    const element = await mount(
      run({
        status: "Failed",
        currentStep: "Post",
        steps: [step(), step({ id: "a01000000000002AAA", step: "Post", status: "Failed" })]
      }),
      ["retry"]
    );
    LightningConfirm.open.mockResolvedValue(true);
    retryRun.mockResolvedValue(JSON.stringify(run({ status: "Queued" })));

    buttons(element).retry.click();
    await settle();
    const select = element.shadowRoot.querySelector("select.retry-step");
    expect([...select.options].map((o) => o.value)).toEqual(["Fetch", "Post"]);
    select.value = "Fetch";
    select.dispatchEvent(new CustomEvent("change"));
    const inputs = element.shadowRoot.querySelector("textarea.retry-inputs");
    inputs.value = '{"pageSize": 10}';
    inputs.dispatchEvent(new CustomEvent("change"));
    element.shadowRoot.querySelector("button.retry-submit").click();
    await settle();
    await settle();

    expect(retryRun).toHaveBeenCalledWith({
      runId: "a00000000000001AAA",
      body: '{"fromStep":"Fetch","inputs":{"pageSize":10}}'
    });
  });

  it("refuses retry input overrides that are not a JSON object", async () => {
    const element = await mount(run({ status: "Failed" }), ["retry"]);
    buttons(element).retry.click();
    await settle();
    const inputs = element.shadowRoot.querySelector("textarea.retry-inputs");
    inputs.value = "[1, 2]";
    inputs.dispatchEvent(new CustomEvent("change"));
    element.shadowRoot.querySelector("button.retry-submit").click();
    await settle();

    expect(element.shadowRoot.querySelector(".retry-error").textContent).toContain(
      "must be a JSON object"
    );
    expect(LightningConfirm.open).not.toHaveBeenCalled();
    expect(retryRun).not.toHaveBeenCalled();
  });

  it("follows a running run with backoff and stops when it finishes", async () => {
    jest.useFakeTimers();
    const running = view(run(), ["pause", "cancel"]);
    getRunView.mockResolvedValue(running);
    const element = createElement("c-stepforce-run-timeline", {
      is: StepforceRunTimeline
    });
    element.recordId = "a00000000000001AAA";
    document.body.appendChild(element);
    await settle();
    expect(getRunView).toHaveBeenCalledTimes(1);

    // Nothing changes: 2 s, then 4 s, 8 s, 16 s, 30 s, 30 s.
    const waits = [];
    let calls = 1;
    for (let i = 0; i < 6; i++) {
      let waited = 0;
      while (getRunView.mock.calls.length === calls) {
        jest.advanceTimersByTime(1000);
        waited += 1000;
        // eslint-disable-next-line no-await-in-loop
        await settle();
      }
      calls = getRunView.mock.calls.length;
      waits.push(waited);
    }
    expect(waits).toEqual([FIRST_DELAY_MS, 4000, 8000, 16000, MAX_DELAY_MS, MAX_DELAY_MS]);

    // The run finishes: the page shows it and no timer is left.
    getRunView.mockResolvedValue(
      view(run({ status: "Succeeded", finishedAt: "2026-11-25T10:05:00.000Z" }), ["retry"].slice(1))
    );
    jest.advanceTimersByTime(MAX_DELAY_MS);
    await settle();
    expect(element.shadowRoot.textContent).toContain("Succeeded");
    const after = getRunView.mock.calls.length;
    jest.advanceTimersByTime(10 * MAX_DELAY_MS);
    await settle();
    expect(getRunView.mock.calls.length).toBe(after);
    expect(element.shadowRoot.querySelector(".live")).toBeNull();
  });

  it("costs nothing for a finished run", async () => {
    jest.useFakeTimers();
    await mount(run({ status: "Failed" }), ["retry"]);
    jest.advanceTimersByTime(10 * MAX_DELAY_MS);
    await settle();
    expect(getRunView).toHaveBeenCalledTimes(1);
  });

  it("stops polling while the tab is hidden and resumes when it shows", async () => {
    jest.useFakeTimers();
    await mount(run(), ["pause"]);
    Object.defineProperty(document, "hidden", { configurable: true, value: true });
    document.dispatchEvent(new Event("visibilitychange"));
    jest.advanceTimersByTime(10 * MAX_DELAY_MS);
    await settle();
    expect(getRunView).toHaveBeenCalledTimes(1);

    Object.defineProperty(document, "hidden", { configurable: true, value: false });
    document.dispatchEvent(new Event("visibilitychange"));
    await settle();
    expect(getRunView).toHaveBeenCalledTimes(2);
  });

  it("shows the load error when the run cannot be read", async () => {
    getRunView.mockRejectedValue({ body: { message: "You may not read runs" } });
    const element = createElement("c-stepforce-run-timeline", {
      is: StepforceRunTimeline
    });
    element.recordId = "a00000000000001AAA";
    document.body.appendChild(element);
    await settle();
    expect(element.shadowRoot.querySelector(".load-error").textContent).toBe(
      "You may not read runs"
    );
  });

  it.each(["Running", "Paused", "Failed", "Succeeded"])(
    "is accessible for a %s run",
    async (status) => {
      const element = await mount(
        run({ status, error: status === "Failed" ? "Post failed" : null }),
        status === "Failed" ? ["retry"] : []
      );
      await expect(element).toBeAccessible();
    }
  );
});
