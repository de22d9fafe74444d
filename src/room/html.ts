/**
 * HTML built so that text is escaped unless it is already HTML: every interpolated value is escaped
 * (`escapeHtml`) except `Html` made by this same template, so a note, evidence or name a person wrote can
 * never become markup, whichever page shows it.
 */
import { escapeHtml } from '../net/html.js';

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | boolean | undefined | null | readonly Part[];

function render(value: Part): string {
  if (value === undefined || value === null || value === false || value === true) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return (value as readonly Part[]).map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}
