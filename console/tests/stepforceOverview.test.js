import { createElement } from "lwc";
import StepforceOverview from "c/stepforceOverview";
import getOverview from "@salesforce/apex/StepforceConsoleController.getOverview";
import { navigate } from "lightning/navigation";
import { OVERVIEW } from "./fixtures";

jest.mock(
  "@salesforce/apex/StepforceConsoleController.getOverview",
  () => ({ default: jest.fn() }),
  { virtual: true }
);
jest.mock("lightning/navigation", () => require("./mocks/navigation"));


async function settle() {
  for (let i = 0; i < 5; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

async function mount() {
  const element = createElement("c-stepforce-overview", { is: StepforceOverview });
  document.body.appendChild(element);
  await settle();
  return element;
}

describe("c-stepforce-overview", () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  it("counts runs by status per orchestration over the last 7 days", async () => {
    getOverview.mockResolvedValue(OVERVIEW);
    const element = await mount();

    expect(getOverview).toHaveBeenCalledWith({ days: 7, stuckMinutes: 30 });
    const rows = [...element.shadowRoot.querySelectorAll("table.counts tbody tr")].map(
      (tr) => [...tr.children].map((cell) => cell.textContent)
    );
    // Orchestration, Queued, Running, Paused, Succeeded, Failed, Cancelled, Total.
    expect(rows).toEqual([
      ["Invoice_Sync", "0", "0", "0", "40", "2", "0", "42"],
      ["Lead_Nurture", "0", "3", "1", "0", "0", "0", "4"]
    ]);
  });

  it("lists failed, paused and stuck runs with a link to each", async () => {
    getOverview.mockResolvedValue(OVERVIEW);
    const element = await mount();

    const items = element.shadowRoot.querySelectorAll("ul.attention li");
    expect(items).toHaveLength(3);
    expect(items[0].querySelector(".reason").textContent).toBe("Failed");
    expect(items[1].querySelector(".reason").textContent).toBe("Paused");
    expect(items[2].querySelector(".reason").textContent).toBe(
      "Stuck: Queued without a job for over 30 min"
    );
    const link = items[0].querySelector("a");
    expect(link.getAttribute("href")).toBe("/lightning/r/Stepforce_Run__c/a00000000000001AAA/view");

    link.click();
    expect(navigate).toHaveBeenCalledTimes(1);
    expect(navigate.mock.calls[0][0]).toEqual({
      type: "standard__recordPage",
      attributes: {
        recordId: "a00000000000001AAA",
        objectApiName: "Stepforce_Run__c",
        actionName: "view"
      }
    });
  });

  it("reloads for the chosen period", async () => {
    getOverview.mockResolvedValue(OVERVIEW);
    const element = await mount();
    const select = element.shadowRoot.querySelector("select.period");
    select.value = "30";
    select.dispatchEvent(new CustomEvent("change"));
    await settle();
    expect(getOverview).toHaveBeenLastCalledWith({ days: 30, stuckMinutes: 30 });
  });

  it("says when nothing ran and nothing needs attention", async () => {
    getOverview.mockResolvedValue({ counts: [], attention: [] });
    const element = await mount();
    expect(element.shadowRoot.querySelector(".no-runs").textContent).toBe(
      "No run in this period."
    );
    expect(element.shadowRoot.querySelector(".all-well").textContent).toBe(
      "Nothing needs attention."
    );
  });

  it("toasts and shows the error when the overview cannot be read", async () => {
    getOverview.mockRejectedValue({ body: { message: "You may not read runs" } });
    const element = createElement("c-stepforce-overview", { is: StepforceOverview });
    const toast = jest.fn();
    element.addEventListener("lightning__showtoast", toast);
    document.body.appendChild(element);
    await settle();

    expect(toast.mock.calls[0][0].detail).toEqual({
      title: "Could not load the Stepforce overview",
      message: "You may not read runs",
      variant: "error"
    });
    expect(element.shadowRoot.querySelector(".load-error").textContent).toBe(
      "You may not read runs"
    );
  });

  it("is accessible", async () => {
    getOverview.mockResolvedValue(OVERVIEW);
    const element = await mount();
    await expect(element).toBeAccessible();
  });
});
