// Run JSON in the REST contract's shape (docs/runtime.md, "Entry points"): what
// StepforceConsoleController.getRunView returns in its `run` string.
export function step(overrides = {}) {
  return {
    id: "a01000000000001AAA",
    step: "Fetch",
    index: 0,
    type: "Apex",
    status: "Succeeded",
    attempt: 1,
    iteration: 1,
    inputs: { since: "2026-11-01" },
    outputs: { fetched: 4 },
    error: null,
    jobId: "7070000000000001AAA",
    ranAs: "005000000000001AAA",
    startedAt: "2026-11-25T10:00:00.000Z",
    finishedAt: "2026-11-25T10:00:01.500Z",
    limits: { soql: 12, dml: 3, cpuMs: 800, heapBytes: 120000, callouts: 0 },
    ...overrides
  };
}

export function run(overrides = {}) {
  return {
    id: "a00000000000001AAA",
    orchestration: "Invoice_Sync",
    status: "Running",
    currentStep: "Post",
    requestKey: "key-1",
    trigger: "Api",
    inputs: { since: "2026-11-01" },
    context: null,
    error: null,
    startedAt: "2026-11-25T10:00:00.000Z",
    finishedAt: null,
    jobId: "7070000000000002AAA",
    planVersion: null,
    steps: [step()],
    stepsTotal: 1,
    stepsNext: null,
    stepsTruncated: false,
    stepsIo: true,
    ...overrides
  };
}

export function view(runJson, allowedActions) {
  return { run: JSON.stringify(runJson), allowedActions, finished: false };
}

// What getOverview answers: two orchestrations, a failed and a stuck run.
export const OVERVIEW = {
  counts: [
    { orchestration: "Invoice_Sync", status: "Succeeded", count: 40 },
    { orchestration: "Invoice_Sync", status: "Failed", count: 2 },
    { orchestration: "Lead_Nurture", status: "Running", count: 3 },
    { orchestration: "Lead_Nurture", status: "Paused", count: 1 }
  ],
  attention: [
    {
      Id: "a00000000000001AAA",
      Name: "RUN-000101",
      Orchestration__c: "Invoice_Sync",
      Status__c: "Failed",
      Current_Step__c: "Post",
      Error__c: "ERP answered 503 Service Unavailable"
    },
    {
      Id: "a00000000000003AAA",
      Name: "RUN-000107",
      Orchestration__c: "Lead_Nurture",
      Status__c: "Paused",
      Current_Step__c: "Score"
    },
    {
      Id: "a00000000000004AAA",
      Name: "RUN-000112",
      Orchestration__c: "Lead_Nurture",
      Status__c: "Queued",
      Current_Step__c: "Enrich"
    }
  ]
};
