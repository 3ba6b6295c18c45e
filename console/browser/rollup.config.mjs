// Compiles the console's LWC bundles with LWC OSS for the headless-browser check
// (tests/console/test_browser.py). Platform modules (lightning/*, @salesforce/*) resolve to
// the stubs beside this file; the components themselves are the deployed sources.
import path from "node:path";
import { fileURLToPath } from "node:url";
import lwc from "@lwc/rollup-plugin";

const here = path.dirname(fileURLToPath(import.meta.url));
const lwcDir = path.resolve(here, "../../templates/force-app/main/default/lwc");
const stub = (name) => path.join(here, "stubs", name);
const PLATFORM = {
  "lightning/uiRecordApi": stub("uiRecordApi.js"),
  "lightning/platformShowToastEvent": stub("toast.js"),
  "lightning/confirm": stub("confirm.js"),
  "lightning/navigation": stub("navigation.js")
};

const components = ["stepforceRunTimeline", "stepforceJsonViewer", "stepforceOverview"];
// The engine of the same LWC release as the compiler @lwc/rollup-plugin uses.
const engine = (name) =>
  path.resolve(here, "../node_modules/lwc/node_modules/@lwc", name, "dist/index.js");

// The components live outside any LWC project (no lwc.config.json above templates/), so
// "lwc" and "c/*" are resolved here rather than by the LWC module resolver.
function platformStubs() {
  return {
    name: "stepforce-platform-stubs",
    resolveId(source) {
      if (source === "lwc") {
        return engine("engine-dom");
      }
      if (source === "@lwc/synthetic-shadow") {
        return engine("synthetic-shadow");
      }
      const [namespace, name] = source.split("/");
      if (namespace === "c" && components.includes(name)) {
        const file = path.join(lwcDir, name, `${name}.js`);
        return `${file}?specifier=${encodeURIComponent(source)}`;
      }
      if (PLATFORM[source]) {
        return PLATFORM[source];
      }
      if (source.startsWith("@salesforce/")) {
        return `\0${source}`;
      }
      return null;
    },
    transform(code) {
      // The engine reads process.env.NODE_ENV (production drops its dev-mode checks).
      return code.includes("process.env.NODE_ENV")
        ? code.replaceAll("process.env.NODE_ENV", JSON.stringify("production"))
        : null;
    },
    load(id) {
      if (id.startsWith("\0@salesforce/apex/")) {
        const method = id.split(".").pop();
        return `import { call } from ${JSON.stringify(stub("apex.js"))};
export default (params) => call(${JSON.stringify(method)}, params);`;
      }
      if (id.startsWith("\0@salesforce/schema/")) {
        const [objectApiName, ...field] = id.slice("\0@salesforce/schema/".length).split(".");
        return `export default ${JSON.stringify({ objectApiName, fieldApiName: field.join(".") })};`;
      }
      return null;
    }
  };
}


export default {
  input: path.join(here, "main.js"),
  output: { file: path.join(here, "dist", "app.js"), format: "iife" },
  plugins: [
    platformStubs(),
    lwc({ rootDir: lwcDir })
  ]
};
