/**
 * The room's debrief section: the data pack the debrief holds with, so the lead decides at the same page
 * with the figures from T, each rule's verdict and the recommendation in view.
 */
import { html, type Html } from './html.js';
import type { CutoverView } from './cutovers.js';

export function debriefSection(view: CutoverView): Html {
  const pack = view.reading.status.debrief;
  if (!pack) return html`<h2>Debrief pack</h2><p>Assembled when the debrief is due, from the figures since go-live.</p>`;
  const f = pack.figures;
  const recovered = pack.alerts.filter((a) => a.recoveredAt !== undefined).length;
  return html`<h2>Debrief pack</h2>
<p class="recommendation ${pack.recommendation.decision}">Recommends <strong>${pack.recommendation.decision}</strong>: ${pack.recommendation.reason}${
    pack.autoRollBack ? html` · the workflow rolled back on its own (critical: ${pack.autoRollBack.rules.join(', ')})` : ''
  }</p>
${
  pack.rules.length
    ? html`<table class="debrief-rules"><thead><tr><th>Rule</th><th>Outcome</th><th>Finding</th></tr></thead><tbody>${pack.rules.map(
        (r) =>
          html`<tr class="${r.outcome.toLowerCase()}"><td>${r.rule}${r.critical ? ' (critical)' : ''}</td><td>${r.outcome}</td><td>${r.finding}</td></tr>`,
      )}</tbody></table>`
    : html`<p>The plan sets no debrief rules.</p>`
}
<p>${
    f
      ? `Since go-live: authorizations ${f.authorizations.approved} approved / ${f.authorizations.declined} declined; webhooks ${f.webhooks.succeeded} ok / ${f.webhooks.failed} failed; ErrRateLimited ${f.rateLimited}.`
      : `Figures: ${pack.figuresProblem ?? 'not read'}.`
  } Alerts since go-live: ${pack.alerts.length} opened, ${recovered} recovered. Incidents: ${pack.incidents.length}.</p>
<p>Smoke tests: ${pack.smokeTests.map((s) => (s.requestId ? `${s.step} (${s.requestId})` : s.step)).join(', ') || 'no evidence'}.</p>`;
}
