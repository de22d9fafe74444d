/**
 * Where things are in the Temporal UI (2.54, as bundled with the dev server), so the browser suites read
 * as what an engineer looks at rather than as URLs and selectors.
 */
import type { FrameLocator, Page } from 'playwright-core';

export interface WorkflowRef {
  uiUrl: string;
  namespace: string;
  workflowId: string;
  runId: string;
}

function workflowBase(ref: WorkflowRef): string {
  return `${ref.uiUrl}/namespaces/${encodeURIComponent(ref.namespace)}/workflows/${encodeURIComponent(ref.workflowId)}/${ref.runId}`;
}

/** The "User Metadata" tab: summary, details and current details, each Markdown rendered in its own frame. */
export async function openUserMetadata(page: Page, ref: WorkflowRef): Promise<void> {
  await page.goto(`${workflowBase(ref)}/user-metadata`);
  await page
    .getByRole('heading', { name: 'Current Details' })
    .or(page.getByText('Current Details', { exact: true }))
    .first()
    .waitFor();
}

export type MetadataPanel = 'summary' | 'details' | 'current-details';

export function metadataPanel(page: Page, panel: MetadataPanel): FrameLocator {
  return page.frameLocator(`#user-metadata-${panel}`);
}

/** The event history's "All" view; oldest first shows the T-24h…T-1h stages on its first page. */
export async function openEventHistory(page: Page, ref: WorkflowRef, order: 'ascending' | 'descending'): Promise<void> {
  await page.goto(`${workflowBase(ref)}/history${order === 'ascending' ? '?sort=ascending' : ''}`);
  await page.getByText('Workflow Execution Started').or(page.getByText('Workflow Task Started')).first().waitFor();
}

/** The workflow list filtered by a visibility query, the way it is typed into the UI's filter. */
export async function openWorkflowList(page: Page, uiUrl: string, namespace: string, query: string): Promise<void> {
  await page.goto(`${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`);
}

/** A row of the workflow list, found by the id it shows. */
export function listedWorkflow(page: Page, workflowId: string) {
  return page.getByRole('row').filter({ hasText: workflowId });
}
