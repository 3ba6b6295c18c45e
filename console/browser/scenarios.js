// What StepforceConsoleController answers in each rendered scenario (REST Run JSON shapes),
// built from the Jest fixtures.
import { step, OVERVIEW } from "../tests/fixtures.js";

const invoices = {};
for (let i = 0; i < 400; i++) {
  invoices[`INV-${1000 + i}`] = { amount: 100 + i, currency: "EUR" };
}

const failedRun = {
  id: "a00000000000001AAA",
  orchestration: "Invoice_Sync",
  status: "Failed",
  currentStep: "Post",
  requestKey: "nightly-2026-11-25",
  trigger: "Schedule",
  inputs: { since: "2026-11-01" },
  context: null,
  error: "Step Post failed after 3 attempts: ERP answered 503 Service Unavailable",
  startedAt: "2026-11-25T10:00:00.000Z",
  finishedAt: "2026-11-25T10:04:12.000Z",
  jobId: null,
  planVersion: "3f2a9c1",
  stepsTotal: 3,
  stepsNext: null,
  stepsTruncated: false,
  stepsIo: true,
  steps: [
    step({ outputs: { invoices } }),
    step({
      id: "a01000000000002AAA",
      step: "Transform",
      startedAt: "2026-11-25T10:00:02.000Z",
      finishedAt: "2026-11-25T10:00:50.000Z",
      inputs: { count: 400 },
      outputs: { rows: 400 },
      limits: { soql: 171, dml: 20, cpuMs: 52000, heapBytes: 4000000, callouts: 0 }
    }),
    step({
      id: "a01000000000003AAA",
      step: "Post",
      type: "Flow",
      status: "Failed",
      attempt: 3,
      iteration: 1,
      startedAt: "2026-11-25T10:04:00.000Z",
      finishedAt: "2026-11-25T10:04:12.000Z",
      inputs: { rows: 400 },
      outputs: null,
      error: "ERP answered 503 Service Unavailable",
      limits: { soql: 2, dml: 0, cpuMs: 300, heapBytes: 90000, callouts: 1 }
    })
  ]
};

const runningRun = {
  ...failedRun,
  id: "a00000000000002AAA",
  status: "Running",
  currentStep: "Transform",
  trigger: "Api",
  error: null,
  finishedAt: null,
  jobId: "7070000000000009AAA",
  stepsTotal: 1,
  steps: [step()]
};

export const SCENARIOS = {
  "timeline-failed": {
    component: "timeline",
    recordId: failedRun.id,
    starter: "Ada Admin",
    expand: ["details.step-error", "li:first-child > details.step-data"],
    apex: {
      getRunView: { run: JSON.stringify(failedRun), allowedActions: ["retry"], finished: true }
    }
  },
  "timeline-running": {
    component: "timeline",
    recordId: runningRun.id,
    starter: "Olaf Operator",
    apex: {
      getRunView: {
        run: JSON.stringify(runningRun),
        allowedActions: ["pause", "cancel"],
        finished: false
      }
    }
  },
  overview: {
    component: "overview",
    apex: {
      getOverview: OVERVIEW
    }
  }
};
