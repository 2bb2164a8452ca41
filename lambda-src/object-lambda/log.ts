/** One structured line per request; never holds a presigned URL's query (it carries credentials). */
export interface RequestLog {
  requestId?: string;
  key?: string;
  params?: string;
  status?: number;
  errorCode?: string;
  error?: string;
  bytes?: number;
  contentType?: string;
  timings?: Record<string, number>;
  origin?: string;
}

export function writeLog(entry: RequestLog): void {
  console.log(JSON.stringify({ source: "resizer", adapter: "object-lambda", ...entry }));
}
