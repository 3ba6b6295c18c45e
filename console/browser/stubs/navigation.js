const Navigate = Symbol("Navigate");
export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference) {
      window.__STEPFORCE__.navigated = pageReference;
    }
  };
NavigationMixin.Navigate = Navigate;
