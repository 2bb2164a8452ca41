/**
 * A picture of the dashboard's layout for the README (docs/dashboard.svg), drawn from the body the construct
 * synthesizes (modules/construct/dashboard.ts): each widget where CloudWatch places it on its 24-column grid, with its
 * title and the metrics it graphs. `npm run docs` writes it; `npm run docs -- --check` fails when it is stale.
 */
import { dashboardBody, type MonitoredDeployment } from "../modules/construct/dashboard";

/** The deployment the picture shows: purge on, defaults otherwise; names stand for the Terraform references. */
export const PICTURED: MonitoredDeployment = {
  distributionId: "DISTRIBUTION",
  edgeFunctionName: "normalize",
  resizerFunctionName: "resizer",
  originMode: "function-url",
  resizerTimeoutSeconds: 10,
  region: "eu-west-1",
  purge: { queueName: "purge-queue", deadLetterQueueName: "purge-dlq", functionName: "purge" },
  additionalMetrics: false,
};

const COLUMN = 40;
const ROW = 28;
const MAX_LINES = 5;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Words in lines of at most `width` characters (a longer word stands on its own line, cut where the widget ends). */
function wrapped(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** One metric row as a short label: "AWS/Lambda Duration p99". */
function metricLabel(row: readonly unknown[], stat: unknown): string {
  const options = typeof row[row.length - 1] === "object" ? (row[row.length - 1] as Record<string, unknown>) : {};
  const dimensions = row.slice(2, typeof row[row.length - 1] === "object" ? -1 : undefined) as string[];
  // A dimension that tells rows of one widget apart (an error code, a status class) is shown; the function's name is not.
  const distinguishing = dimensions.filter((_, i) => i % 2 === 1 && i > 0 && ["ErrorCode", "StatusClass"].includes(dimensions[i - 1] as string));
  const shownStat = typeof options.stat === "string" ? options.stat : typeof stat === "string" ? stat : "";
  return [String(row[0]), String(row[1]), ...distinguishing, shownStat].filter(Boolean).join(" ");
}

export function dashboardSvg(deployment: MonitoredDeployment = PICTURED): string {
  const { widgets } = dashboardBody(deployment);
  const height = Math.max(...widgets.map((w) => w.y + w.height)) * ROW;
  const parts: string[] = [];
  for (const widget of widgets) {
    const x = widget.x * COLUMN;
    const y = widget.y * ROW;
    const width = widget.width * COLUMN;
    const h = widget.height * ROW;
    const markdown = typeof widget.properties.markdown === "string" ? widget.properties.markdown : "";
    if (widget.type === "text" && markdown.startsWith("## ")) {
      parts.push(`<text x="${x + 6}" y="${y + ROW - 8}" class="heading">${escape(markdown.slice(3))}</text>`);
      continue;
    }
    parts.push(`<rect x="${x + 3}" y="${y + 3}" width="${width - 6}" height="${h - 6}" rx="4" class="${widget.type}"/>`);
    const title = widget.type === "metric" ? String(widget.properties.title) : markdown.split("\n")[0]!.replace(/^### /, "");
    parts.push(`<text x="${x + 10}" y="${y + 22}" class="title">${escape(title)}</text>`);
    const lines = widget.type === "metric"
      ? (widget.properties.metrics as unknown[][]).map((row) => metricLabel(row, widget.properties.stat))
      : wrapped(markdown.split("\n").slice(2).join(" ").replace(/`/g, ""), Math.floor((width - 20) / 5.6));
    const shown = lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES - 1), `+ ${lines.length - MAX_LINES + 1} more`] : lines;
    // About 5.6 px a character at 10 px: longer labels are cut so none runs past its widget.
    const fits = Math.floor((width - 20) / 5.6);
    const cut = (line: string): string => (line.length > fits ? `${line.slice(0, fits - 1)}…` : line);
    shown.forEach((line, i) => parts.push(`<text x="${x + 10}" y="${y + 44 + i * 15}" class="metric">${escape(cut(line))}</text>`));
    const region = widget.properties.region;
    if (typeof region === "string") parts.push(`<text x="${x + width - 10}" y="${y + h - 12}" class="region">${escape(region)}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${24 * COLUMN}" height="${height}" viewBox="0 0 ${24 * COLUMN} ${height}" font-family="sans-serif">`,
    "<style>.heading{font-size:15px;font-weight:bold;fill:#232f3e}.title{font-size:12px;font-weight:bold;fill:#16191f}" +
      ".metric{font-size:10px;fill:#414d5c}.region{font-size:9px;fill:#8d99a8;text-anchor:end}" +
      "rect.metric{fill:#fafafa;stroke:#d1d5db}rect.text{fill:#f2f8fd;stroke:#a3c9ef}</style>",
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...parts,
    "</svg>",
  ].join("\n");
}
