import { readFileSync } from "node:fs";

/**
 * This process's peak resident set size, bytes: VmHWM of its own memory (proc(5)). Not getrusage's maxRSS,
 * which Linux carries over from the parent through fork and exec, so a child reports at least the bench's RSS.
 */
export function peakResidentBytes(): number {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
  if (line === undefined) throw new Error("no VmHWM in /proc/self/status (Linux only)");
  return Number(/(\d+)/.exec(line)?.[1]) * 1024;
}
