// Syntax-checks Apex files with @apexdevtools/apex-parser, one Node process for all files.
// Usage: node apex_syntax.cjs <path of the apex-parser package>  (file paths as a JSON list on stdin)
// Prints a JSON list of {file, line, col, message}; exit 0 whether or not errors were found,
// because the errors are the data; any other exit status means the script itself failed.
"use strict";
const fs = require("fs");

const parserPackage = process.argv[2];
const { ApexErrorListener, ApexParserFactory } = require(parserPackage);

// The package's own checkProject() returns status 0 even with errors, so we count them here.
class CollectingListener extends ApexErrorListener {
  constructor(file, problems) {
    super();
    this.file = file;
    this.problems = problems;
  }
  apexSyntaxError(line, column, msg) {
    // ANTLR columns are 0-based; stepforce locations are 1-based.
    this.problems.push({ file: this.file, line: line, col: column + 1, message: msg });
  }
}

function checkFile(file, problems) {
  const source = fs.readFileSync(file, "utf8");
  const listener = new CollectingListener(file, problems);
  const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
  if (file.toLowerCase().endsWith(".trigger")) {
    parser.triggerUnit();
  } else {
    parser.compilationUnit();
  }
}

const files = JSON.parse(fs.readFileSync(0, "utf8"));
const problems = [];
for (const file of files) {
  try {
    checkFile(file, problems);
  } catch (error) {
    problems.push({ file: file, line: 0, col: 0, message: String(error && error.message) });
  }
}
process.stdout.write(JSON.stringify(problems));
