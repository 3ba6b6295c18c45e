// Formats Apex files with prettier + prettier-plugin-apex in one Node process.
// Usage: node apex_format.cjs <prettier package dir> <plugin entry file> <check|write> [jobs]
// File paths come as a JSON list on stdin. Prints a JSON list with one entry per file that is
// not formatted or does not parse: {file, line, message, status: "unformatted"|"error"};
// "line" is the first line that differs from prettier's output (0 when unknown). With
// "write", unformatted files are rewritten in place and still listed with status "rewritten".
// Exit 0 whatever was found; any other status means the script itself failed.
// `jobs` (default 4) files are formatted at a time: the plugin parses each file in a child
// process (the jorje serializer), so while one file is parsed another is printed. Results keep
// the order of the input list. `.apex` files are anonymous Apex (parser "apex-anonymous").
"use strict";
const fs = require("fs");
const path = require("path");

const [prettierDir, pluginEntry, mode, jobsArg] = process.argv.slice(2);
const jobs = Math.max(1, parseInt(jobsArg || "4", 10) || 1);
const prettier = require(path.join(prettierDir, "index.cjs"));

function firstDifferentLine(before, after) {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return i + 1;
  }
  return 0;
}

async function formatOne(file, plugin) {
  const source = fs.readFileSync(file, "utf8");
  // The defaults of prettier-plugin-apex, whatever config files the project has.
  const parser = file.endsWith(".apex") ? "apex-anonymous" : "apex";
  const options = { parser, plugins: [plugin], filepath: file };
  let formatted;
  try {
    formatted = await prettier.format(source, options);
  } catch (error) {
    const message = String((error && error.message) || error).split(/\r?\n/)[0];
    return { file, status: "error", line: 0, message };
  }
  if (formatted === source) return null;
  if (mode === "write") {
    fs.writeFileSync(file, formatted, "utf8");
    return { file, status: "rewritten", line: 0, message: "" };
  }
  const line = firstDifferentLine(source, formatted);
  return { file, status: "unformatted", line, message: "" };
}

async function main() {
  const plugin = await import(pluginEntry);
  const files = JSON.parse(fs.readFileSync(0, "utf8"));
  const found = new Array(files.length).fill(null);
  let next = 0;
  async function worker() {
    while (next < files.length) {
      const index = next++;
      found[index] = await formatOne(files[index], plugin.default || plugin);
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
  process.stdout.write(JSON.stringify(found.filter((result) => result !== null)));
}

main().catch((error) => {
  process.stderr.write(String((error && error.stack) || error) + "\n");
  process.exit(3);
});
