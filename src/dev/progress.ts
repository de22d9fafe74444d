/**
 * Turns successive status readings into progress lines a person can follow:
 * "T-24h config-diff passed (2 differences, all allowed)", "readiness: bin-catalogue done". Evidence is
 * read defensively, since it is free-form per stage and check; a shape this does not know gets no detail.
 */
import { openRequiredItems } from '../workflows/checklist-rules.js';
import type { ChecklistItemState, CutoverStatus, StageState } from '../workflows/definitions.js';

type Evidence = Record<string, unknown>;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function asRecord(value: unknown): Evidence | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Evidence) : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function configDiffDetail(evidence: Evidence): string | undefined {
  const diff = asRecord(evidence.configDiff);
  if (!diff) return undefined;
  const differences = asArray(diff.differences).length;
  const unexpected = asArray(diff.unexpected).length;
  if (differences === 0) return `no differences in ${plural(Number(diff.keysCompared ?? 0), 'setting')}`;
  return unexpected === 0 ? `${plural(differences, 'difference')}, all allowed` : `${plural(differences, 'difference')}, ${unexpected} not allowed`;
}

function fundingDetail(evidence: Evidence): string | undefined {
  const funding = asRecord(evidence.funding);
  if (!funding) return undefined;
  const accounts = asArray(funding.accounts).length;
  const shortfalls = asArray(funding.shortfalls).length;
  return `${plural(accounts, 'master account')}, ${shortfalls === 0 ? 'every minimum met' : plural(shortfalls, 'shortfall')}`;
}

function jobsDetail(evidence: Evidence): string | undefined {
  const jobs = asArray(evidence.jobs).map(asRecord).filter((job): job is Evidence => job !== undefined);
  if (jobs.length === 0) return typeof evidence.note === 'string' ? evidence.note : undefined;
  return `paused ${jobs.map((job) => `${String(job.name)}${job.wasActive === false ? ' (already paused)' : ''}`).join(', ')}`;
}

function webhookDetail(evidence: Evidence): string | undefined {
  const delivery = asRecord(evidence.delivery);
  const subscription = asRecord(evidence.subscription);
  if (!delivery) return undefined;
  const created = subscription?.created === true ? 'subscription created, ' : subscription ? 'subscription in place, ' : '';
  return `${created}test event answered HTTP ${String(delivery.responseStatus ?? '2xx')} after ${plural(Number(delivery.attempts ?? 1), 'attempt')}`;
}

function goLiveDetail(evidence: Evidence): string | undefined {
  const smoke = asRecord(evidence.smokeTests);
  if (!smoke) return undefined;
  const card = asRecord(smoke.issueCard);
  const topUp = asRecord(smoke.topUp);
  const parts = [
    smoke.health ? 'health ok' : undefined,
    card ? `card ${String(card.cardId)} issued` : undefined,
    topUp ? 'topped up with ledger entry' : undefined,
    asRecord(smoke.topUpWebhook)?.deliveryId ? 'card.topup webhook delivered' : undefined,
    asRecord(smoke.closeCard) ? 'card closed' : undefined,
  ].filter((part): part is string => part !== undefined);
  const authorization = asRecord(evidence.manualAuthorization);
  if (authorization) parts.push(`manual authorization ${String(authorization.authorizationId)}`);
  return parts.join(', ') || undefined;
}

function stageDetail(stage: StageState, status: CutoverStatus): string | undefined {
  switch (stage.id) {
    case 'config-diff':
      return configDiffDetail(stage.evidence);
    case 'funding-check':
      return fundingDetail(stage.evidence);
    case 'disable-sandbox-jobs':
      return jobsDetail(stage.evidence);
    case 'webhook-smoke-test':
      return webhookDetail(stage.evidence);
    case 'go-live':
      return goLiveDetail(stage.evidence);
    case 'debrief':
      return status.decision ? `${status.decision.decision} by ${status.decision.by}` : undefined;
  }
}

function stageLine(stage: StageState, status: CutoverStatus): string | undefined {
  const head = `${stage.offset.padEnd(5)} ${stage.id}`;
  switch (stage.status) {
    case 'running':
      return `${head} running${stage.attempts > 1 ? ` (attempt ${stage.attempts})` : ''}`;
    case 'holding':
      return `${head} holding: ${stage.hold?.reason ?? 'waiting for people'}`;
    case 'passed': {
      const detail = stageDetail(stage, status);
      return `${head} passed${detail ? ` (${detail})` : ''}`;
    }
    case 'failed':
    case 'rejected':
      return `${head} ${stage.status}${stage.problems.length ? `: ${stage.problems.join('; ')}` : ''}`;
    case 'skipped':
      return `${head} skipped`;
    default:
      return undefined;
  }
}

function checkDetail(evidence: unknown): string | undefined {
  const record = asRecord(evidence);
  if (!record) return undefined;
  if (Array.isArray(record.keys)) return `${plural(record.keys.length, 'key')} compared`;
  if (Array.isArray(record.catalogue)) return `${plural(record.catalogue.length, 'BIN')} as the plan expects`;
  if (typeof record.seeded === 'number') {
    return `${plural(record.seeded, 'card')} seeded after a dry run of ${asArray(record.dryRun).length}`;
  }
  if (Array.isArray(record.shortfalls)) return fundingDetail({ funding: record });
  if (record.delivery) return webhookDetail(record);
  return undefined;
}

function itemLine(item: ChecklistItemState): string | undefined {
  const head = `readiness: ${item.id}`;
  switch (item.status) {
    case 'checking':
      return item.attempts > 1 ? `${head} checking again (attempt ${item.attempts})` : undefined;
    case 'failed':
      return `${head} FAILED: ${item.problems.join('; ') || 'no reason given'}`;
    case 'waived':
      return `${head} waived by ${item.waivedBy ?? 'someone'}: ${item.reason ?? ''}`;
    case 'done': {
      if (item.kind === 'attested') return `${head} done (${item.completedBy ?? 'someone'})`;
      const detail = checkDetail(item.evidence);
      return `${head} done${detail ? ` (${detail})` : ''}`;
    }
    default:
      return undefined;
  }
}

/** Cutovers started before the checklist existed have none. */
const checklistOf = (status: CutoverStatus): ChecklistItemState[] => (status as Partial<CutoverStatus>).checklist ?? [];

function checklistLines(before: CutoverStatus | undefined, after: CutoverStatus): string[] {
  const lines: string[] = [];
  for (const item of checklistOf(after)) {
    const previous = before && checklistOf(before).find((i) => i.id === item.id);
    if (previous?.status === item.status && previous.attempts === item.attempts) continue;
    const line = itemLine(item);
    if (line) lines.push(line);
  }
  const openBefore = before && checklistOf(before).length > 0 ? openRequiredItems(before).size : 0;
  if (openBefore > 0 && openRequiredItems({ ...after, checklist: checklistOf(after) }).size === 0) {
    lines.push('readiness: every required item is done or waived; go/no-go can go ahead');
  }
  return lines;
}

/** "checklist: 27 of 27 done or waived (26 done, 1 waived: webhook-endpoint-tls)". */
export function checklistSummary(status: CutoverStatus): string | undefined {
  const items = checklistOf(status);
  if (items.length === 0) return undefined;
  const done = items.filter((i) => i.status === 'done');
  const waived = items.filter((i) => i.status === 'waived');
  const closed = done.length + waived.length;
  const open = items.filter((i) => i.status !== 'done' && i.status !== 'waived');
  const parts = [
    `${done.length} done`,
    ...(waived.length ? [`${waived.length} waived: ${waived.map((i) => i.id).join(', ')}`] : []),
    ...(open.length ? [`open: ${open.map((i) => `${i.id}${i.optional ? ' (optional)' : ''}`).join(', ')}`] : []),
  ];
  return `checklist: ${closed} of ${items.length} done or waived (${parts.join('; ')})`;
}

/** Lines describing what changed between two readings (everything noteworthy when `before` is undefined). */
export function progressLines(before: CutoverStatus | undefined, after: CutoverStatus): string[] {
  const lines: string[] = [...checklistLines(before, after)];
  for (const stage of after.stages) {
    const previous = before?.stages.find((s) => s.id === stage.id);
    if (previous?.status === stage.status && previous.attempts === stage.attempts) continue;
    const line = stageLine(stage, after);
    if (line) lines.push(line);
  }
  for (const refusal of after.refusals.slice(before?.refusals.length ?? 0)) {
    lines.push(`      refused ${refusal.kind}${refusal.by ? ` from ${refusal.by}` : ''} (${refusal.via}): ${refusal.reason}`);
  }
  for (const escalation of after.escalations.slice(before?.escalations.length ?? 0)) {
    lines.push(
      `      ${escalation.stage} escalated to ${escalation.to.join(', ') || 'nobody'}: still waiting for ${escalation.waitingFor.join(', ')}`,
    );
  }
  if (before?.phase !== after.phase && ['compensating', 'completed', 'rolled-back', 'aborted'].includes(after.phase)) {
    lines.push(`cutover ${after.phase}`);
  }
  return lines;
}
