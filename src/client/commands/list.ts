/** `cutover list`: the cutovers Temporal knows, found through the search attributes the workflow sets. */
import { Command } from 'commander';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { parsePhase, parsePositiveNumber } from '../arguments.js';
import { CUTOVER_WORKFLOW_TYPE } from '../../operations/cutover-workflow-type.js';
import { renderTable } from '../format/table.js';
import { shortTime } from '../format/time.js';
import { examples } from '../help.js';
import { printJson, say } from '../output.js';
import { CutoverGoLiveKey, CutoverPhaseKey, CutoverStageKey } from '../../workflows/search-attributes.js';

export interface CutoverListing {
  workflowId: string;
  runId: string;
  status: string;
  phase?: string;
  stage?: string;
  goLive?: string;
  startTime: string;
  closeTime?: string;
}

/** A run that continued as new is the same cutover as its successor: only the latest run is listed. */
export function listQuery(phase?: string): string {
  return `WorkflowType = '${CUTOVER_WORKFLOW_TYPE}' AND ExecutionStatus != 'ContinuedAsNew'${phase ? ` AND ${CutoverPhaseKey.name} = '${phase}'` : ''}`;
}

function toListing(info: WorkflowExecutionInfo): CutoverListing {
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    status: info.status.name,
    phase: info.typedSearchAttributes.get(CutoverPhaseKey),
    stage: info.typedSearchAttributes.get(CutoverStageKey),
    goLive: info.typedSearchAttributes.get(CutoverGoLiveKey)?.toISOString(),
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString(),
  };
}

export function listCommand(): Command {
  return new Command('list')
    .description('list cutover workflows, newest first')
    .option('--json', 'print the list as JSON')
    .option(
      '--phase <phase>',
      'only cutovers in this phase (waiting, running, holding, compensating, watching, completed, rolled-back, aborted)',
    )
    .option('--limit <n>', 'show at most n cutovers', '50')
    .addHelpText('after', examples('cutover list', 'cutover list --phase holding', 'cutover list --json'))
    .action(async (options: { json?: boolean; phase?: string; limit: string }) => {
      const phase = options.phase === undefined ? undefined : parsePhase(options.phase);
      const limit = Math.floor(parsePositiveNumber(options.limit, '--limit'));
      const { withTemporal } = await import('../temporal-session.js');
      await withTemporal(async (client) => {
        const listings: CutoverListing[] = [];
        for await (const info of client.workflow.list({ query: listQuery(phase) })) {
          listings.push(toListing(info));
          if (listings.length >= limit) break;
        }
        if (options.json) return printJson(listings);
        if (listings.length === 0) {
          return say(phase ? `no cutovers in phase ${phase}` : 'no cutovers yet; start one with `cutover start FILE`');
        }
        say(
          renderTable(
            ['id', 'status', 'phase', 'stage', 'go-live'],
            listings.map((l) => [l.workflowId, l.status, l.phase ?? '-', l.stage ?? '-', shortTime(l.goLive)]),
          ),
        );
      });
    });
}
