import { LightningElement, api } from "lwc";
import { NavigationMixin } from "lightning/navigation";
import { ShowToastEvent } from "lightning/platformShowToastEvent";
import getOverview from "@salesforce/apex/StepforceConsoleController.getOverview";

export const STATUSES = ["Queued", "Running", "Paused", "Succeeded", "Failed", "Cancelled"];
export const PERIODS = [1, 7, 30, 90];

function messageOf(error) {
  return (error && error.body && error.body.message) || (error && error.message) || "Unknown error";
}

/** The Stepforce app's home: runs by status per orchestration, and the runs needing attention. */
export default class StepforceOverview extends NavigationMixin(LightningElement) {
  /** Queued/Running runs without a job for longer than this are shown as stuck. */
  @api stuckMinutes = 30;
  days = 7;
  counts = [];
  attention = [];
  loaded = false;
  loadError;

  connectedCallback() {
    this.load();
  }

  async load() {
    try {
      const overview = await getOverview({
        days: this.days,
        stuckMinutes: Number(this.stuckMinutes)
      });
      this.counts = overview.counts;
      this.attention = overview.attention;
      this.loadError = undefined;
    } catch (error) {
      this.loadError = messageOf(error);
      this.dispatchEvent(
        new ShowToastEvent({
          title: "Could not load the Stepforce overview",
          message: this.loadError,
          variant: "error"
        })
      );
    }
    this.loaded = true;
  }

  get periodOptions() {
    return PERIODS.map((days) => ({
      value: String(days),
      label: days === 1 ? "Last 24 hours" : `Last ${days} days`,
      selected: days === this.days
    }));
  }

  get statuses() {
    return STATUSES;
  }

  get table() {
    const byOrchestration = new Map();
    for (const row of this.counts) {
      if (!byOrchestration.has(row.orchestration)) {
        byOrchestration.set(row.orchestration, {});
      }
      byOrchestration.get(row.orchestration)[row.status] = row.count;
    }
    return [...byOrchestration.entries()].map(([name, perStatus]) => ({
      key: name,
      name,
      cells: STATUSES.map((status) => ({
        key: status,
        count: perStatus[status] || 0
      })),
      total: Object.values(perStatus).reduce((sum, n) => sum + n, 0)
    }));
  }

  get hasCounts() {
    return this.counts.length > 0;
  }

  get needingAttention() {
    return this.attention.map((run) => ({
      id: run.Id,
      name: run.Name,
      orchestration: run.Orchestration__c,
      status: run.Status__c,
      reason:
        run.Status__c === "Failed" || run.Status__c === "Paused"
          ? run.Status__c
          : `Stuck: ${run.Status__c} without a job for over ${this.stuckMinutes} min`,
      step: run.Current_Step__c || "",
      error: run.Error__c || "",
      href: `/lightning/r/Stepforce_Run__c/${run.Id}/view`
    }));
  }

  get hasAttention() {
    return this.attention.length > 0;
  }

  handlePeriod(event) {
    this.days = Number(event.target.value);
    this.load();
  }

  handleOpen(event) {
    event.preventDefault();
    this[NavigationMixin.Navigate]({
      type: "standard__recordPage",
      attributes: {
        recordId: event.currentTarget.dataset.id,
        objectApiName: "Stepforce_Run__c",
        actionName: "view"
      }
    });
  }
}
