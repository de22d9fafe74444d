/** What every answer form of the room shares: the form token's placeholder and a labelled field. */
import { html, type Html } from './html.js';

/** Stands in for the form token while a section is compared, so a fresh token alone never counts as a change. */
export const TOKEN_PLACEHOLDER = '\u0000csrf\u0000';

export function token(): Html {
  return html`<input type="hidden" name="_csrf" value="${TOKEN_PLACEHOLDER}">`;
}

export function field(id: string, label: string, input: Html): Html {
  return html`<label for="${id}">${label}</label>${input}`;
}
