import { LightningElement, api, wire } from "lwc";
import { getRecord, getFieldValue } from "lightning/uiRecordApi";
import { ShowToastEvent } from "lightning/platformShowToastEvent";
import LightningConfirm from "lightning/confirm";
import getRunView from "@salesforce/apex/StepforceConsoleController.getRunView";
import pauseRun from "@salesforce/apex/StepforceConsoleController.pauseRun";
import resumeRun from "@salesforce/apex/StepforceConsoleController.resumeRun";
import cancelRun from "@salesforce/apex/StepforceConsoleController.cancelRun";
import retryRun from "@salesforce/apex/StepforceConsoleController.retryRun";
import STARTER_FIELD from "@salesforce/schema/Stepforce_Run__c.CreatedBy.Name";
import { limitBars, formatDuration, formatTime, errorMessage } from "./format";

// Polling with backoff (docs/console.md, "Live updates"): 2 s after a change, doubling to
// 30 s while nothing changes; no timer for a finished run or a hidden tab.
export const FIRST_DELAY_MS = 2000;
export const MAX_DELAY_MS = 30000;

const ACTIONS = [
  {
    name: "pause",
    label: "Pause",
    call: pauseRun,
    done: "paused",
    question: "Pause this run? A step already running finishes first."
  },
  {
    name: "resume",
    label: "Resume",
    call: resumeRun,
    done: "resumed",
    question: "Resume this run from where it stopped?"
  },
  {
    name: "cancel",
    label: "Cancel",
    call: cancelRun,
    done: "cancelled",
    question: "Cancel this run? It cannot be resumed, only retried."
  },
  { name: "retry", label: "Retry", call: retryRun, done: "queued again" }
];
const FINISHED = new Set(["Succeeded", "Failed", "Cancelled"]);

export default class StepforceRunTimeline extends LightningElement {
  @api recordId;
  firstPage;
  allowedActions = [];
  loadError;
  busy = false;
  retryFormOpen = false;
  retryStep = "";
  retryInputs = "";
  retryError;
  delay = FIRST_DELAY_MS;
  timer;
  signature;
  disconnected = false;
  // Step Runs of the pages after the first (GET runs/{id} pages them like REST does); kept
  // while the first page is polled again.
  laterSteps = [];
  laterNext;

  @wire(getRecord, { recordId: "$recordId", fields: [STARTER_FIELD] })
  starterRecord;

  connectedCallback() {
    this.onVisibility = () => {
      if (document.hidden) {
        this.stopPolling();
      } else {
        this.delay = FIRST_DELAY_MS;
        this.load();
      }
    };
    document.addEventListener("visibilitychange", this.onVisibility);
    this.load();
  }

  disconnectedCallback() {
    document.removeEventListener("visibilitychange", this.onVisibility);
    this.stopPolling();
    this.disconnected = true;
  }

  async load() {
    this.stopPolling();
    try {
      const view = await getRunView({ runId: this.recordId, stepsAfter: null });
      const signature = view.run + view.allowedActions.join(",");
      // Unchanged: wait longer next time; changed: look again soon.
      this.delay =
        signature === this.signature
          ? Math.min(this.delay * 2, MAX_DELAY_MS)
          : FIRST_DELAY_MS;
      this.signature = signature;
      this.firstPage = JSON.parse(view.run);
      this.allowedActions = view.allowedActions;
      this.loadError = undefined;
    } catch (error) {
      this.loadError = errorMessage(error);
      this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    }
    this.schedule();
  }

  schedule() {
    if (this.disconnected || this.isFinished || document.hidden) {
      return;
    }
    // Polling is the fallback the issue allows while the engine publishes no run event.
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.timer = setTimeout(() => this.load(), this.delay);
  }

  stopPolling() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** The first page with the later pages' steps appended. */
  get run() {
    if (!this.firstPage) {
      return undefined;
    }
    if (this.laterSteps.length === 0) {
      return this.firstPage;
    }
    return {
      ...this.firstPage,
      steps: [...this.firstPage.steps, ...this.laterSteps],
      stepsNext: this.laterNext,
      stepsTruncated: Boolean(this.laterNext)
    };
  }

  get hasMoreSteps() {
    return Boolean(this.run && this.run.stepsTruncated);
  }

  get moreStepsLabel() {
    const run = this.run;
    return `Load more steps (${run.steps.length} of ${run.stepsTotal} shown)`;
  }

  async handleMoreSteps() {
    this.busy = true;
    try {
      const view = await getRunView({
        runId: this.recordId,
        stepsAfter: this.run.stepsNext
      });
      const page = JSON.parse(view.run);
      this.laterSteps = [...this.laterSteps, ...page.steps];
      this.laterNext = page.stepsTruncated ? page.stepsNext : undefined;
    } catch (error) {
      this.toast("Could not load more steps", errorMessage(error), "error");
    } finally {
      this.busy = false;
    }
  }

  get isFinished() {
    return Boolean(this.run && FINISHED.has(this.run.status));
  }

  get isLive() {
    return Boolean(this.run) && !this.isFinished;
  }

  get starter() {
    return getFieldValue(this.starterRecord && this.starterRecord.data, STARTER_FIELD) || "";
  }

  get statusClass() {
    return `slds-badge status status-${this.run ? this.run.status.toLowerCase() : ""}`;
  }

  get startedAt() {
    return formatTime(this.run && this.run.startedAt);
  }

  get finishedAt() {
    return formatTime(this.run && this.run.finishedAt);
  }

  get actions() {
    return ACTIONS.map((action) => ({
      name: action.name,
      label: action.label,
      disabled: this.busy || !this.allowedActions.includes(action.name)
    }));
  }

  get retryPlaceholder() {
    return '{"pageSize": 10}';
  }

  get noActionAllowed() {
    return this.allowedActions.length === 0;
  }

  get rows() {
    const steps = (this.run && this.run.steps) || [];
    return steps.map((step) => ({
      key: step.id,
      step: step.step,
      type: step.type,
      status: step.status,
      statusClass: `slds-badge status status-${(step.status || "").toLowerCase()}`,
      attempt: step.attempt,
      iteration: step.iteration,
      startedAt: formatTime(step.startedAt),
      duration: formatDuration(step.startedAt, step.finishedAt),
      ranAs: step.ranAs || "",
      error: step.error,
      inputs: step.inputs,
      outputs: step.outputs,
      limits: limitBars(step.limits),
      nearLimit: limitBars(step.limits).some((bar) => bar.warn)
    }));
  }

  get hasRows() {
    return this.rows.length > 0;
  }

  get stepOptions() {
    const names = [];
    for (const step of (this.run && this.run.steps) || []) {
      if (!names.includes(step.step)) {
        names.push(step.step);
      }
    }
    if (this.run && this.run.currentStep && !names.includes(this.run.currentStep)) {
      names.push(this.run.currentStep);
    }
    return names.map((name) => ({
      value: name,
      label: name,
      selected: name === this.retryStep
    }));
  }

  handleAction(event) {
    const name = event.target.dataset.action;
    if (name === "retry") {
      this.retryFormOpen = true;
      this.retryStep = (this.run && this.run.currentStep) || "";
      this.retryInputs = "";
      this.retryError = undefined;
      return;
    }
    this.confirmAndRun(name, { runId: this.recordId });
  }

  handleRetryStep(event) {
    this.retryStep = event.target.value;
  }

  handleRetryInputs(event) {
    this.retryInputs = event.target.value;
  }

  handleRetryCancel() {
    this.retryFormOpen = false;
  }

  handleRetrySubmit() {
    const body = {};
    if (this.retryStep) {
      body.fromStep = this.retryStep;
    }
    if (this.retryInputs.trim()) {
      let inputs;
      try {
        inputs = JSON.parse(this.retryInputs);
      } catch {
        inputs = undefined;
      }
      if (!inputs || typeof inputs !== "object" || Array.isArray(inputs)) {
        this.retryError =
          'Input overrides must be a JSON object, e.g. {"pageSize": 10}';
        return;
      }
      body.inputs = inputs;
    }
    this.retryError = undefined;
    this.confirmAndRun("retry", {
      runId: this.recordId,
      body: JSON.stringify(body)
    });
  }

  async confirmAndRun(name, params) {
    const action = ACTIONS.find((candidate) => candidate.name === name);
    const question =
      name === "retry"
        ? `Retry this run from step ${this.retryStep || "where it stopped"}?`
        : action.question;
    const confirmed = await LightningConfirm.open({
      message: question,
      label: `${action.label} run`,
      theme: name === "cancel" ? "warning" : "default"
    });
    if (!confirmed) {
      return;
    }
    this.busy = true;
    try {
      const result = JSON.parse(await action.call(params));
      this.toast(
        `Run ${action.done}`,
        `${this.run ? this.run.orchestration : "The run"} is now ${result.status}.`,
        "success"
      );
      this.retryFormOpen = false;
    } catch (error) {
      this.toast(`Could not ${name} the run`, errorMessage(error), "error");
    } finally {
      this.busy = false;
    }
    this.delay = FIRST_DELAY_MS;
    await this.load();
  }

  toast(title, message, variant) {
    this.dispatchEvent(new ShowToastEvent({ title, message, variant }));
  }
}
