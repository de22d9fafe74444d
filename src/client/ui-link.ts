/** Links into the Temporal Web UI; CUTOVER_UI_URL points them at a UI other than the local dev server's. */
export const DEFAULT_UI_URL = 'http://localhost:8233';

export function uiBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.CUTOVER_UI_URL || DEFAULT_UI_URL).replace(/\/+$/, '');
}

export function workflowUiLink(namespace: string, workflowId: string, base: string = uiBaseUrl()): string {
  return `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
