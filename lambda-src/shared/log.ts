/** One structured line per request; never holds a presigned URL's query (it carries credentials). */
export interface RequestLog {
  requestId?: string;
  key?: string;
  params?: string;
  method?: string;
  status?: number;
  errorCode?: string;
  error?: string;
  bytes?: number;
  contentType?: string;
  timings?: Record<string, number>;
  origin?: string;
}

/** Which front door the request came through. */
export type Adapter = "object-lambda" | "function-url";

export function writeLog(adapter: Adapter, entry: RequestLog): void {
  console.log(JSON.stringify({ source: "resizer", adapter, ...entry }));
}
