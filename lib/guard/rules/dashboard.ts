/**
 * CloudWatch dashboard quotas, checked on the dashboard body as PutDashboard will receive it
 * (the template's DashboardBody with pseudo parameters filled in).
 *
 * Sources: CloudWatch User Guide, "CloudWatch service quotas"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html):
 * "Up to 500 widgets per dashboard. Up to 500 metrics per dashboard widget. Up to 2500 metrics per
 * dashboard". The alarm status widget's 100 alarms: CloudWatch User Guide, "Add or remove an alarm
 * status widget" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_remove_alarm_dashboard.html).
 *
 * AWS documents no size limit of its own for a dashboard body (PutDashboard's DashboardBody has no
 * length constraint in the CloudWatch API model); the body is inside the template, so the template
 * size rule bounds it.
 */
import { resolveText } from '../intrinsics.ts';
import type { Finding, GuardRule } from '../rule.ts';
import type { GuardResource, TemplateSet } from '../template-set.ts';

const QUOTAS_PAGE = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html';

export const MAX_WIDGETS_PER_DASHBOARD = 500;
export const MAX_METRICS_PER_WIDGET = 500;
export const MAX_METRICS_PER_DASHBOARD = 2500;
/**
 * CloudWatch User Guide, "Adding or removing an alarm from a CloudWatch dashboard"
 * (add_remove_alarm_dashboard.md in awsdocs/amazon-cloudwatch-user-guide): "You can include up to
 * 100 alarms in one alarm status widget."
 */
export const MAX_ALARMS_PER_STATUS_WIDGET = 100;

interface Widget {
  type?: string;
  properties?: { metrics?: unknown[]; alarms?: unknown[]; title?: string };
}

interface Dashboard {
  resource: GuardResource;
  /** Undefined when the body is not JSON once resolved. */
  widgets: Widget[] | undefined;
}

/** A stand-in for values only known at deploy: the CDK only puts them inside JSON strings. */
const UNKNOWN = 'x'.repeat(32);

/** Parsed once per template set: four rules read the same bodies. */
const parsed = new WeakMap<TemplateSet, Dashboard[]>();

function dashboards(set: TemplateSet): Dashboard[] {
  const cached = parsed.get(set);
  if (cached) return cached;
  const found: Dashboard[] = [];
  for (const resource of set.resources('AWS::CloudWatch::Dashboard')) {
    const text = resolveText(resource.properties['DashboardBody'], {
      region: resource.template.region,
      unknown: UNKNOWN,
    });
    let widgets: Widget[] | undefined;
    try {
      const body = JSON.parse(text ?? '') as { widgets?: Widget[] };
      widgets = Array.isArray(body.widgets) ? body.widgets : [];
    } catch {
      widgets = undefined;
    }
    found.push({ resource, widgets });
  }
  parsed.set(set, found);
  return found;
}

/** A body the guard cannot read is a finding of every dashboard rule: it cannot be judged safe. */
function unreadable(dashboard: Dashboard): Finding[] {
  return dashboard.widgets
    ? []
    : [
        {
          at: dashboard.resource,
          message: 'DashboardBody is not JSON once its values are filled in; PutDashboard would reject it',
          location: 'Properties.DashboardBody',
        },
      ];
}

function widgetName(widget: Widget, index: number): string {
  return widget.properties?.title ? `widget ${index} ("${widget.properties.title}")` : `widget ${index}`;
}

export const DASHBOARD_RULES: readonly GuardRule[] = [
  {
    id: 'CW-DashboardWidgets',
    checks: `A dashboard has at most ${MAX_WIDGETS_PER_DASHBOARD} widgets.`,
    limit: `${MAX_WIDGETS_PER_DASHBOARD} widgets per dashboard`,
    source: QUOTAS_PAGE,
    consequence: 'rejected',
    check: (set) =>
      dashboards(set).flatMap((d) => {
        if (!d.widgets) return unreadable(d);
        return d.widgets.length > MAX_WIDGETS_PER_DASHBOARD
          ? [
              {
                at: d.resource,
                message: `the dashboard has ${d.widgets.length} widgets`,
                location: 'Properties.DashboardBody',
              },
            ]
          : [];
      }),
  },
  {
    id: 'CW-AlarmStatusWidgetAlarms',
    checks: `An alarm status widget lists at most ${MAX_ALARMS_PER_STATUS_WIDGET} alarms.`,
    limit: `${MAX_ALARMS_PER_STATUS_WIDGET} alarms per alarm status widget`,
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_remove_alarm_dashboard.html',
    consequence: 'rejected',
    check: (set) =>
      dashboards(set).flatMap((d) => {
        if (!d.widgets) return unreadable(d);
        return d.widgets.flatMap((widget, i) => {
          const alarms = widget.type === 'alarm' ? (widget.properties?.alarms?.length ?? 0) : 0;
          return alarms > MAX_ALARMS_PER_STATUS_WIDGET
            ? [
                {
                  at: d.resource,
                  message: `${widgetName(widget, i)} lists ${alarms} alarms`,
                  location: 'Properties.DashboardBody',
                },
              ]
            : [];
        });
      }),
  },
  {
    id: 'CW-MetricsPerWidget',
    checks: `A metric widget draws at most ${MAX_METRICS_PER_WIDGET} metrics (each line of its \`metrics\` array: a metric or an expression).`,
    limit: `${MAX_METRICS_PER_WIDGET} metrics per dashboard widget`,
    source: QUOTAS_PAGE,
    consequence: 'rejected',
    check: (set) =>
      dashboards(set).flatMap((d) => {
        if (!d.widgets) return unreadable(d);
        return d.widgets.flatMap((widget, i) => {
          const metrics = widget.properties?.metrics?.length ?? 0;
          return metrics > MAX_METRICS_PER_WIDGET
            ? [
                {
                  at: d.resource,
                  message: `${widgetName(widget, i)} draws ${metrics} metrics`,
                  location: 'Properties.DashboardBody',
                },
              ]
            : [];
        });
      }),
  },
  {
    id: 'CW-MetricsPerDashboard',
    checks: `A dashboard draws at most ${MAX_METRICS_PER_DASHBOARD.toLocaleString('en-US')} metrics over all its widgets.`,
    limit: `${MAX_METRICS_PER_DASHBOARD} metrics per dashboard`,
    source: QUOTAS_PAGE,
    consequence: 'rejected',
    check: (set) =>
      dashboards(set).flatMap((d) => {
        if (!d.widgets) return unreadable(d);
        const metrics = d.widgets.reduce((n, w) => n + (w.properties?.metrics?.length ?? 0), 0);
        return metrics > MAX_METRICS_PER_DASHBOARD
          ? [
              {
                at: d.resource,
                message: `the dashboard draws ${metrics} metrics`,
                location: 'Properties.DashboardBody',
              },
            ]
          : [];
      }),
  },
];
