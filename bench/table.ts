/** Plain-text tables and progress lines for the bench report. */

export type Cell = string | number;

/** The first `leftColumns` columns are labels (left-aligned); the rest are numbers (right-aligned). */
export function printTable(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  leftColumns = 1,
): void {
  const text = rows.map((row) => row.map(String));
  const widths = headers.map((header, i) => Math.max(header.length, ...text.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of text) console.log(line(row));
}

export function progress(message: string): void {
  const clock = new Date().toISOString().slice(11, 19);
  console.log(`[${clock}] ${message}`);
}

export function section(title: string): void {
  console.log(`\n=== ${title} ===`);
}

/** Fixed decimals, for table cells. */
export const fixed = (value: number, digits = 1): string => value.toFixed(digits);
export const mb = (bytes: number, digits = 1): string => (bytes / (1024 * 1024)).toFixed(digits);
export const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
export const ratio = (value: number): string => `${value.toFixed(2)}x`;
export const percent = (value: number, digits = 1): string => `${value.toFixed(digits)} %`;
