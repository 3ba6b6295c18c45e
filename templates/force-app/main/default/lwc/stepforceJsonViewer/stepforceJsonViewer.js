import { LightningElement, api } from "lwc";

// Values whose pretty-printed text is longer than this start collapsed: a 128 KB context
// rendered eagerly makes the run page slow for data nobody asked to see.
const DEFAULT_COLLAPSE_CHARS = 2000;

/**
 * Shows a JSON value (an object from the REST Run JSON) pretty-printed. Large values start
 * collapsed behind a summary and a "Show" button; StepforceStoredText's unreadable marker
 * is shown as its message.
 */
export default class StepforceJsonViewer extends LightningElement {
  @api label = "Value";
  @api collapseAbove = DEFAULT_COLLAPSE_CHARS;
  expanded = false;
  _value;

  @api
  get value() {
    return this._value;
  }
  set value(next) {
    this._value = next;
    this.expanded = false;
  }

  get isEmpty() {
    return this._value === null || this._value === undefined;
  }

  get text() {
    return this.isEmpty ? "" : JSON.stringify(this._value, null, 2);
  }

  get isLarge() {
    return this.text.length > this.collapseAbove;
  }

  get showText() {
    return !this.isEmpty && (!this.isLarge || this.expanded);
  }

  get showSummary() {
    return !this.isEmpty && this.isLarge && !this.expanded;
  }

  get summary() {
    const value = this._value;
    const size = formatSize(this.text.length);
    if (Array.isArray(value)) {
      return `${plural(value.length, "item")}, ${size}`;
    }
    if (typeof value === "object") {
      const keys = Object.keys(value);
      const shown = keys.slice(0, 5).join(", ");
      const more = keys.length > 5 ? `, +${keys.length - 5} more` : "";
      return `${plural(keys.length, "key")} (${shown}${more}), ${size}`;
    }
    return size;
  }

  get toggleLabel() {
    return this.expanded ? `Hide ${this.label}` : `Show ${this.label}`;
  }

  handleToggle() {
    this.expanded = !this.expanded;
  }
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

export function formatSize(chars) {
  if (chars < 1024) {
    return `${chars} characters`;
  }
  return `${(chars / 1024).toFixed(1)} KB`;
}
