/**
 * Evidence as people read it: a check's findings are nested records (request ids, a catalogue of BINs, a
 * seeding mapping), which as JSON in a table cell nobody reads. They become labelled fields instead,
 * "request ids › sandbox: req_1", shared by the Markdown and HTML reports and the terminal.
 */

export interface EvidenceField {
  /** The path to the value in words; empty for evidence that is a single value (people's text). */
  label: string;
  value: string;
}

/** A record deeper or wider than this is summarised rather than spelled out: a report is not a dump. */
const MAX_DEPTH = 4;
const MAX_FIELDS = 40;

/** `requestIds` → "request ids", `clientIdSuffix` → "client id suffix"; keys that are data (BINs, ids) stay as written. */
export function fieldName(key: string): string {
  if (!/^[a-z]+(?:[A-Z][a-z0-9]*)*$/.test(key)) return key;
  return key.replace(/([A-Z])/g, ' $1').toLowerCase();
}

function scalarText(value: unknown): string | undefined {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value.replace(/\s*\n\s*/g, ' ').trim();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

function collect(value: unknown, label: string, depth: number, out: EvidenceField[]): void {
  if (out.length >= MAX_FIELDS) return;
  const scalar = scalarText(value);
  if (scalar !== undefined) {
    out.push({ label, value: scalar });
    return;
  }
  if (Array.isArray(value)) {
    const scalars = value.map(scalarText);
    if (scalars.every((s) => s !== undefined)) {
      out.push({ label, value: scalars.length === 0 ? 'none' : scalars.join(', ') });
      return;
    }
    if (depth >= MAX_DEPTH) {
      out.push({ label, value: `${value.length} entries` });
      return;
    }
    value.forEach((entry, index) => collect(entry, label ? `${label} ${index + 1}` : `${index + 1}`, depth + 1, out));
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) {
    out.push({ label, value: 'none' });
    return;
  }
  if (depth >= MAX_DEPTH) {
    out.push({ label, value: `${entries.length} fields` });
    return;
  }
  for (const [key, entry] of entries) collect(entry, label ? `${label} › ${fieldName(key)}` : fieldName(key), depth + 1, out);
}

/** Labelled fields, in the order the evidence holds them; a plain value is one field without a label. */
export function evidenceFields(evidence: unknown): EvidenceField[] {
  if (evidence === undefined || evidence === '') return [];
  const out: EvidenceField[] = [];
  collect(evidence, '', 0, out);
  return out;
}

/** The fields on one line: "request id: req_1; client id suffix: …a91f". */
export function evidenceLine(evidence: unknown): string | undefined {
  const fields = evidenceFields(evidence);
  if (fields.length === 0) return undefined;
  const text = fields.map((f) => (f.label ? `${f.label}: ${f.value}` : f.value)).join('; ');
  return text.trim() || undefined;
}
