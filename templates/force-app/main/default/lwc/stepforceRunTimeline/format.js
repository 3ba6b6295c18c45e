// Per-transaction limits of asynchronous Apex, as the CLI's runtime_client/analysis.py has
// them (ASYNC_LIMITS), and its 80% headroom rule (NEAR_LIMIT_SHARE).
export const ASYNC_LIMITS = {
  soql: { cap: 200, label: "SOQL queries" },
  dml: { cap: 150, label: "DML statements" },
  cpuMs: { cap: 60000, label: "CPU ms" },
  heapBytes: { cap: 12000000, label: "Heap bytes" },
  callouts: { cap: 100, label: "Callouts" }
};
export const NEAR_LIMIT_SHARE = 0.8;

/** One bar per limit the step reported: used, cap, percentage and the 80% warning. */
export function limitBars(limits) {
  const bars = [];
  for (const [name, spec] of Object.entries(ASYNC_LIMITS)) {
    const used = limits ? limits[name] : null;
    if (used === null || used === undefined) {
      continue;
    }
    const share = used / spec.cap;
    const percent = Math.min(100, Math.round(share * 100));
    const warn = used >= NEAR_LIMIT_SHARE * spec.cap;
    bars.push({
      name,
      label: spec.label,
      used,
      cap: spec.cap,
      percent,
      warn,
      text: `${spec.label}: ${used.toLocaleString("en-US")} of ${spec.cap.toLocaleString("en-US")} (${percent}%)${warn ? " - near the limit" : ""}`,
      barClass: warn
        ? "slds-progress-bar__value limit-warn"
        : "slds-progress-bar__value",
      style: `width: ${percent}%`
    });
  }
  return bars;
}

/** "1.2 s", "3 min 4 s", or "" when the step has not finished. */
export function formatDuration(startedAt, finishedAt) {
  if (!startedAt || !finishedAt) {
    return "";
  }
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  if (ms < 60000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The REST contract's ISO-8601 UTC time as "2026-11-25 10:00:00 UTC". */
export function formatTime(iso) {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : "";
}

/** The message of an Apex error (AuraHandledException body), a JS error, or a string. */
export function errorMessage(error) {
  if (!error) {
    return "Unknown error";
  }
  if (error.body) {
    if (Array.isArray(error.body)) {
      return error.body.map((entry) => entry.message).join(", ");
    }
    if (error.body.message) {
      return error.body.message;
    }
  }
  return error.message || String(error);
}
