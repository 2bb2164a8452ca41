/**
 * The monitoring resources (`monitoring` prop): the dashboard, CloudFront's additional metrics when asked for, the
 * alarms (dashboard.ts says what each watches) and, for `alarmEmail`, a topic in each alarm region.
 */
import { Construct } from "constructs";
import { Token } from "cdktf";
import { CloudfrontMonitoringSubscription } from "@cdktf/provider-aws/lib/cloudfront-monitoring-subscription";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { CloudwatchQueryDefinition } from "@cdktf/provider-aws/lib/cloudwatch-query-definition";
import { AccessLogs, type AccessLogsDestination } from "./access-logs";
import { alarmTopicPolicy, jsonArgument, policyJson } from "./policies";
import { ImageCdnPropError } from "./validate-props";
import { alarmSpecs, CLOUDFRONT_METRICS_REGION, dashboardBody, type AlarmSpec, type AlarmThresholds, type MonitoredDeployment } from "./dashboard";

export interface MonitoringResources {
  readonly namePrefix: string;
  readonly deployment: MonitoredDeployment;
  readonly thresholds: AlarmThresholds;
  /** Existing topics (any regions): each alarm notifies those of its own region. */
  readonly alarmTopicArns: readonly string[];
  /** The kit makes a topic in each alarm region and subscribes this address. */
  readonly alarmEmail?: string;
  readonly tags: Record<string, string> | undefined;
  /** The resizer's log group: the saved Logs Insights queries read it. */
  readonly resizerLogGroupName: string;
  readonly distributionArn: string;
  /** CloudFront standard logging (v2), when asked for. */
  readonly accessLogs?: AccessLogsDestination;
}

/**
 * Saved Logs Insights queries over the resizer's log lines (JSON at the top level: fields are discovered), so the
 * console lists them by name; with access logs in CloudWatch Logs, one over those too.
 */
export const RESIZER_QUERIES = {
  "top-errors": "filter ispresent(errorCode)\n| stats count(*) as answers by errorCode, status\n| sort answers desc",
  "slowest-keys": "filter ispresent(timings.total)\n| stats count(*) as requests, pct(timings.total, 99) as p99_ms, max(timings.total) as max_ms by key\n| sort p99_ms desc\n| limit 25",
} as const;
/** Standard logging's field names ("Log file fields", CloudFront Developer Guide); a hyphenated name is quoted with backticks. */
export const ACCESS_LOG_QUERY = "filter `sc-status` >= 500\n| stats count(*) as requests by `sc-status`, `cs-uri-stem`\n| sort requests desc\n| limit 25";

/** The region an SNS topic ARN names. */
function regionOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:sns:([a-z0-9-]+):/.exec(arn)?.[1];
}

export class Monitoring extends Construct {
  readonly dashboard: CloudwatchDashboard;
  readonly alarms: CloudwatchMetricAlarm[];
  readonly topics: SnsTopic[] = [];
  readonly accessLogs?: AccessLogs;

  constructor(scope: Construct, id: string, props: MonitoringResources) {
    super(scope, id);
    const d = props.deployment;
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: `${props.namePrefix}-images`,
      dashboardBody: jsonArgument(this, dashboardBody(d, props.thresholds)),
    });
    if (d.additionalMetrics) {
      new CloudfrontMonitoringSubscription(this, "additional-metrics", {
        distributionId: d.distributionId,
        monitoringSubscription: { realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" } },
      });
    }
    const notify: Record<AlarmSpec["region"], string[]> = {
      cloudfront: props.alarmTopicArns.filter((arn) => regionOfArn(arn) === CLOUDFRONT_METRICS_REGION),
      stack: props.alarmTopicArns.filter((arn) => regionOfArn(arn) !== CLOUDFRONT_METRICS_REGION || d.region === CLOUDFRONT_METRICS_REGION),
    };
    let caller: DataAwsCallerIdentity | undefined;
    const account = (): DataAwsCallerIdentity => (caller ??= new DataAwsCallerIdentity(this, "account"));
    if (props.alarmEmail !== undefined) {
      for (const place of ["stack", "cloudfront"] as const) {
        const topic = new SnsTopic(this, `${place}-alarm-topic`, {
          name: `${props.namePrefix}-alarms${place === "cloudfront" ? "-cloudfront" : ""}`,
          ...(place === "cloudfront" ? { region: CLOUDFRONT_METRICS_REGION } : {}),
          tags: props.tags,
        });
        new SnsTopicSubscription(this, `${place}-alarm-email`, {
          topicArn: topic.arn,
          protocol: "email",
          endpoint: props.alarmEmail,
          ...(place === "cloudfront" ? { region: CLOUDFRONT_METRICS_REGION } : {}),
        });
        new SnsTopicPolicy(this, `${place}-alarm-topic-policy`, {
          arn: topic.arn,
          policy: policyJson(this, alarmTopicPolicy({ topicArn: topic.arn, accountId: account().accountId, region: place === "cloudfront" ? CLOUDFRONT_METRICS_REGION : d.region, alarmNamePrefix: props.namePrefix })),
          ...(place === "cloudfront" ? { region: CLOUDFRONT_METRICS_REGION } : {}),
        });
        this.topics.push(topic);
        notify[place].push(topic.arn);
      }
    }
    for (const [name, query] of Object.entries(RESIZER_QUERIES)) {
      new CloudwatchQueryDefinition(this, `query-${name}`, { name: `${props.namePrefix}/resizer-${name}`, queryString: query, logGroupNames: [props.resizerLogGroupName] });
    }
    if (props.accessLogs !== undefined) {
      this.accessLogs = new AccessLogs(this, "access-logs", { namePrefix: props.namePrefix, distributionArn: props.distributionArn, logs: props.accessLogs, tags: props.tags });
      if (this.accessLogs.logGroup !== undefined) {
        new CloudwatchQueryDefinition(this, "query-access-5xx", {
          name: `${props.namePrefix}/access-5xx-by-path`,
          queryString: ACCESS_LOG_QUERY,
          logGroupNames: [this.accessLogs.logGroup.name],
          region: CLOUDFRONT_METRICS_REGION,
        });
      }
    }
    // The stack's alarms notify topics of the stack's region: when it is known at synth, a list without one is refused.
    if (props.alarmTopicArns.length > 0 && notify.stack.length === 0 && !Token.isUnresolved(d.region)) {
      throw new ImageCdnPropError("monitoring.alarmTopicArns", props.alarmTopicArns, `a list that includes a topic in ${d.region} too (the resizer's and purge's alarms are made there), or add alarmEmail`);
    }
    this.alarms = alarmSpecs(d, props.thresholds).map((spec) => new CloudwatchMetricAlarm(this, `alarm-${spec.id}`, {
      alarmName: `${props.namePrefix}-${spec.id}`,
      alarmDescription: `${spec.title}: ${spec.means}. What to do: ${spec.todo}.`,
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: { ...spec.dimensions },
      ...(spec.statistic.startsWith("p") ? { extendedStatistic: spec.statistic } : { statistic: spec.statistic }),
      comparisonOperator: spec.comparison,
      threshold: spec.threshold,
      period: spec.periodSeconds,
      evaluationPeriods: spec.evaluationPeriods,
      // No data is no traffic, not a fault.
      treatMissingData: "notBreaching",
      alarmActions: notify[spec.region],
      okActions: notify[spec.region],
      ...(spec.region === "cloudfront" ? { region: CLOUDFRONT_METRICS_REGION } : {}),
      tags: props.tags,
    }));
  }
}
