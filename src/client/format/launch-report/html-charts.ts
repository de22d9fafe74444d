/** The report's pictures: the timeline as lanes, alerts and incidents on one axis, the watch's hours as charts. */
import { shortTime } from '../time.js';
import type { LaunchReport } from './model.js';
import { streamsPicture } from './task-picture.js';
import { lanesSvg, lineChartSvg, type Lane } from './svg.js';

const HOUR = 3_600_000;

const COLOURS = {
  planned: '#8a8f98',
  passed: '#2e7d32',
  failed: '#c62828',
  running: '#1565c0',
  other: '#f9a825',
  approved: '#1565c0',
  declined: '#c62828',
  limit: '#c62828',
  alert: '#c62828',
  recovered: '#2e7d32',
  incident: '#6a1b9a',
  decision: '#1565c0',
  other2: '#ef6c00',
};

const ACCOUNT_COLOURS = ['#1565c0', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f', '#5d4037'];

const wallAxis = (ms: number) => shortTime(new Date(ms).toISOString());

function statusColour(status: string): string {
  if (status === 'passed' || status === 'done') return COLOURS.passed;
  if (status === 'failed') return COLOURS.failed;
  if (status === 'running' || status === 'waiting' || status === 'holding') return COLOURS.running;
  return COLOURS.other;
}

/**
 * Each stage a lane: a grey diamond where it was due, a bar from its start to its end (or to now, while it
 * runs). A plan with tasks is drawn by stream instead, with its dependencies and critical path.
 */
export function timelinePicture(report: LaunchReport): string {
  if (report.tasks?.entries.length) return streamsPicture(report);
  const now = Date.parse(report.generatedAt);
  const lanes: Lane[] = report.timeline.map((t) => {
    const marks: Lane['marks'] = [
      { start: Date.parse(t.due), colour: COLOURS.planned, kind: 'planned', title: `${t.stage} due ${shortTime(t.due)} (${t.offset})` },
    ];
    if (t.started) {
      const end = t.finished ? Date.parse(t.finished) : now;
      marks.push({
        start: Date.parse(t.started),
        end,
        colour: statusColour(t.status),
        kind: 'actual',
        title: `${t.stage} ${t.status}: ${shortTime(t.started)} to ${t.finished ? shortTime(t.finished) : 'now'}`,
      });
    }
    return { label: `${t.offset} ${t.stage}`, marks, critical: t.critical === true };
  });
  return lanesSvg('Timeline: planned (diamond, when due) and actual (bar, start to finish) per stage', lanes, wallAxis);
}

/** Alerts as spans from opening to recovery, and every incident-log entry as a point in a lane of its kind. */
export function incidentPicture(report: LaunchReport): string | undefined {
  const end = Date.parse(report.watch.finishedAt ?? report.generatedAt);
  const lanes: Lane[] = report.alerts.map((a) => ({
    label: `alert ${a.id}`,
    marks: [
      {
        start: Date.parse(a.openedAt),
        end: a.recoveredAt ? Date.parse(a.recoveredAt) : end,
        colour: a.recoveredAt ? COLOURS.other2 : COLOURS.alert,
        kind: 'alert',
        title: `${a.severity} ${a.rule}: ${a.opened}${a.recovered ? `; recovered: ${a.recovered}` : '; still open'}`,
      },
    ],
  }));
  const kinds = [...new Set(report.incidentLog.map((i) => i.kind))];
  for (const kind of kinds) {
    lanes.push({
      label: kind,
      marks: report.incidentLog
        .filter((i) => i.kind === kind)
        .map((i) => ({
          start: Date.parse(i.at),
          colour: kind === 'incident' ? COLOURS.incident : kind === 'decision' ? COLOURS.decision : COLOURS.other2,
          kind,
          title: `${shortTime(i.at)} ${kind}${i.who ? ` by ${i.who}` : ''}: ${i.what}`,
        })),
    });
  }
  if (lanes.length === 0) return undefined;
  return lanesSvg('Alerts (bar, opened to recovered) and the incident log (diamonds) on one time axis', lanes, wallAxis);
}

/** The watch's hourly summaries as four charts; the x axis is the plan's clock, in hours from T. */
export function watchCharts(report: LaunchReport): string[] {
  const summaries = report.summaries;
  if (summaries.length === 0) return [];
  const goLive = Date.parse(report.goLive);
  const x = (s: (typeof summaries)[number]) => (Date.parse(s.toPlan) - goLive) / HOUR;
  const xLabel = (h: number) => `T+${Math.round(h * 10) / 10}h`;
  const rules = report.alertRules;
  const charts = [
    lineChartSvg({
      title: 'Authorizations per hour: approved and declined',
      yUnit: 'count',
      xLabel,
      series: [
        { name: 'approved', colour: COLOURS.approved, points: summaries.map((s) => ({ x: x(s), y: s.totals.authorizations.approved })) },
        { name: 'declined', colour: COLOURS.declined, points: summaries.map((s) => ({ x: x(s), y: s.totals.authorizations.declined })) },
      ],
    }),
    lineChartSvg({
      title: 'Webhook failure rate per hour',
      yUnit: '%',
      xLabel,
      series: [
        {
          name: 'failed deliveries',
          colour: COLOURS.other2,
          points: summaries.map((s) => {
            const { succeeded, failed } = s.totals.webhooks;
            return { x: x(s), y: succeeded + failed === 0 ? 0 : (100 * failed) / (succeeded + failed) };
          }),
        },
      ],
      thresholds: rules
        ? [{ label: `alert above ${rules.webhookFailureRate * 100}%`, y: rules.webhookFailureRate * 100, colour: COLOURS.limit }]
        : [],
    }),
  ];
  const accounts = [...new Set(summaries.flatMap((s) => Object.keys(s.lowestBalances)))];
  const currencies = new Set(accounts.map((a) => summaries.find((s) => s.lowestBalances[a])?.lowestBalances[a]?.currency));
  charts.push(
    lineChartSvg({
      title: 'Lowest available balance per account each hour, against the low-balance thresholds (minor units)',
      yUnit: '',
      xLabel,
      series: accounts.map((account, index) => ({
        name: `${account} (${summaries.find((s) => s.lowestBalances[account])?.lowestBalances[account]?.currency ?? '?'})`,
        colour: ACCOUNT_COLOURS[index % ACCOUNT_COLOURS.length] ?? COLOURS.other,
        points: summaries.flatMap((s) => {
          const balance = s.lowestBalances[account];
          return balance ? [{ x: x(s), y: balance.available }] : [];
        }),
      })),
      thresholds: Object.entries(rules?.lowBalance ?? {})
        .filter(([currency]) => currencies.has(currency))
        .map(([currency, minimum]) => ({ label: `${currency} minimum ${minimum}`, y: minimum, colour: COLOURS.limit })),
    }),
    lineChartSvg({
      title: 'ErrRateLimited (HTTP 429) answers per hour',
      yUnit: 'count',
      xLabel,
      series: [{ name: '429s', colour: COLOURS.incident, points: summaries.map((s) => ({ x: x(s), y: s.totals.rateLimited })) }],
    }),
  );
  return charts;
}
