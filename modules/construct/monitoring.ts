/**
 * The monitoring resources (`monitoring` prop): the dashboard, CloudFront's additional metrics when asked for, the
 * alarms (dashboard.ts says what each watches) and, for `alarmEmail`, a topic in each alarm region.
 */
import { Construct } from "constructs";
import { CloudfrontMonitoringSubscription } from "@cdktf/provider-aws/lib/cloudfront-monitoring-subscription";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { jsonArgument } from "./policies";
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
}

/** The region an SNS topic ARN names. */
function regionOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:sns:([a-z0-9-]+):/.exec(arn)?.[1];
}

export class Monitoring extends Construct {
  readonly dashboard: CloudwatchDashboard;
  readonly alarms: CloudwatchMetricAlarm[];
  readonly topics: SnsTopic[] = [];

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
        this.topics.push(topic);
        notify[place].push(topic.arn);
      }
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
