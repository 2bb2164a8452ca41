// Child process that plays the Lambda Node runtime for an unpacked bundle: it `require`s
// the bundle's index.js once (one container) and runs invocations sent over IPC.
// Plain CommonJS on plain Node: jest's module sandbox cannot run the bundled SDK's
// `await import("node:http")`, the real runtime can.
"use strict";
const path = require("node:path");
const { format } = require("node:util");

const bundleDir = process.argv[2];
// The parent sees the function's log lines through IPC: its request lines, written to stdout directly (one JSON
// object a line), and anything console.log prints.
console.log = (...args) => process.send({ type: "log", line: format(...args) });
process.stdout.write = (chunk, ...rest) => {
  for (const line of String(chunk).split("\n")) if (line !== "") process.send({ type: "log", line });
  const done = rest.find((argument) => typeof argument === "function");
  if (done) done();
  return true;
};

let entry;
try {
  entry = require(path.join(bundleDir, "index.js"));
  if (typeof entry.handler !== "function") throw new Error(`index.js exports no handler (exports: ${Object.keys(entry).join(", ")})`);
  process.send({ type: "ready" });
} catch (error) {
  process.send({ type: "load-error", message: String(error && error.stack ? error.stack : error) });
  process.exit(1);
}

function peakResidentBytes() {
  const line = require("node:fs").readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
  return Number(/(\d+)/.exec(line)[1]) * 1024;
}

process.on("message", async (message) => {
  // The container's peak resident set size so far, as the runtime's memory limit would see it: VmHWM of this
  // process's own memory. Not getrusage's maxRSS, which Linux carries over from the forking process through exec
  // (proc(5), getrusage(2)), so a child of a 560 MB jest worker reported 560 MB before doing anything.
  if (message.type === "rss") return process.send({ type: "rss", maxRssBytes: peakResidentBytes() });
  if (message.type !== "invoke") return;
  const startedAt = Date.now();
  const context = {
    awsRequestId: message.requestId,
    getRemainingTimeInMillis: () => Math.max(0, message.budgetMs - (Date.now() - startedAt)),
  };
  try {
    const value = await entry.handler(message.event, context);
    process.send({ type: "result", id: message.id, value });
  } catch (error) {
    process.send({ type: "result", id: message.id, error: String(error && error.message ? error.message : error) });
  }
});
