// A NavigationMixin that records the page reference a component navigates to (the
// sfdx-lwc-jest stub records nothing).
export const navigate = jest.fn();
const Navigate = Symbol("Navigate");
const GenerateUrl = Symbol("GenerateUrl");

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference, replace) {
      navigate(pageReference, replace);
    }

    [GenerateUrl](pageReference) {
      return Promise.resolve(`/stub/${JSON.stringify(pageReference)}`);
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;
