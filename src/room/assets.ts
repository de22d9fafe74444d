/**
 * The room's stylesheet and its one script, served as files of their own so the Content-Security-Policy
 * allows no inline script or style. The script only polls the page's live endpoint and swaps the sections
 * that changed, leaving alone a section where someone is typing.
 */

export const ROOM_SCRIPT = `'use strict';
(function () {
  var url = document.body.getAttribute('data-live-url');
  if (!url) return;
  var state = document.getElementById('live-state');
  function typing(section) {
    if (section.contains(document.activeElement) && document.activeElement !== document.body) return true;
    var fields = section.querySelectorAll('textarea, input:not([type=hidden]), select');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.tagName === 'SELECT') {
        for (var j = 0; j < f.options.length; j++) if (f.options[j].selected !== f.options[j].defaultSelected) return true;
      } else if (f.value !== f.defaultValue) return true;
    }
    return false;
  }
  function say(text) { if (state && state.textContent !== text) state.textContent = text; }
  function poll() {
    fetch(url, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (answer) {
        if (answer.status === 401 || answer.status === 404) { say('No longer live: sign in again to follow this cutover.'); return false; }
        if (!answer.ok) { say('Live: the room answered ' + answer.status + '; retrying.'); return true; }
        return answer.json().then(function (body) {
          var changed = false;
          Object.keys(body.sections).forEach(function (id) {
            var section = document.getElementById(id);
            var next = body.sections[id];
            if (!section || section.getAttribute('data-digest') === next.digest || typing(section)) return;
            var open = Array.prototype.map.call(section.querySelectorAll('details[open][id]'), function (d) { return d.id; });
            section.innerHTML = next.html;
            open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
            section.setAttribute('data-digest', next.digest);
            changed = true;
          });
          if (changed) say('Live: updated at ' + new Date().toLocaleTimeString());
          return true;
        });
      })
      .catch(function () { say('Live: the room cannot be reached; retrying.'); return true; })
      .then(function (again) { if (again) setTimeout(poll, 1000); });
  }
  setTimeout(poll, 1000);
})();
`;

export const ROOM_STYLES = `:root { color-scheme: light; --ink: #1f2937; --muted: #4b5563; --line: #d1d5db; --accent: #1d4ed8; --danger: #b91c1c; --hold: #92400e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
header.top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: #f3f4f6; }
header.top .home { font-weight: 700; color: var(--ink); text-decoration: none; }
header.top .who { margin-left: auto; color: var(--muted); }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
a { color: var(--accent); }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
.id { color: var(--muted); font-size: .85rem; font-family: ui-monospace, monospace; }
.phase { display: inline-block; padding: 0 .5rem; border-radius: 1rem; border: 1px solid var(--ink); font-size: .85rem; }
.phase-holding { background: #fef3c7; } .phase-running, .phase-watching { background: #dbeafe; } .phase-completed { background: #dcfce7; } .phase-rolled-back, .phase-aborted { background: #fee2e2; }
ul.cutovers { list-style: none; padding: 0; } ul.cutovers li { padding: .75rem; border: 1px solid var(--line); border-radius: .5rem; margin-bottom: .5rem; }
ul.cutovers li.awaits { border-color: var(--hold); border-width: 2px; }
.awaiting-you { color: var(--hold); }
.card { border: 2px solid var(--hold); border-radius: .5rem; padding: .75rem; margin: .75rem 0; background: #fffbeb; }
.digest code { font-size: .9rem; } .full-digest { display: block; font-family: ui-monospace, monospace; font-size: .75rem; word-break: break-all; color: var(--muted); }
pre.evidence { white-space: pre-wrap; word-break: break-word; background: #f9fafb; border: 1px solid var(--line); padding: .5rem; font-size: .85rem; }
.evidence-text { white-space: pre-wrap; word-break: break-word; }
form.answer { display: grid; gap: .35rem; margin: .5rem 0; max-width: 40rem; } form.inline { display: inline; margin-left: .5rem; }
label { font-weight: 600; font-size: .9rem; }
textarea, input, select { font: inherit; padding: .4rem; border: 1px solid var(--muted); border-radius: .3rem; width: 100%; }
textarea { min-height: 3.5rem; }
button, a.button { font: inherit; padding: .45rem .9rem; border: 0; border-radius: .3rem; background: var(--accent); color: #fff; cursor: pointer; justify-self: start; text-decoration: none; display: inline-block; }
button.danger { background: var(--danger); }
header.top button { background: #374151; }
.notice { padding: .6rem .8rem; border-radius: .4rem; } .notice.accepted { background: #dcfce7; border: 1px solid #166534; } .notice.refused { background: #fee2e2; border: 1px solid var(--danger); }
.live-state { color: var(--muted); font-size: .85rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; } caption { text-align: left; font-weight: 700; padding: .25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .4rem; text-align: left; vertical-align: top; }
tr.mine th { border-left: 4px solid var(--accent); }
svg.timeline { width: 100%; height: auto; border: 1px solid var(--line); border-radius: .5rem; background: #fff; }
svg text { font: 13px system-ui, sans-serif; fill: var(--ink); } svg .tick-label, svg .now-label { fill: var(--muted); font-size: 12px; }
svg .lane { stroke: #e5e7eb; stroke-width: 2; } svg .tick { stroke: #e5e7eb; } svg .now { stroke: var(--danger); stroke-width: 2; }
svg .planned { fill: #fff; stroke: var(--ink); stroke-width: 2; } svg .actual { fill: #93c5fd; }
svg .stage-passed .actual { fill: #86efac; } svg .stage-holding .actual { fill: #fcd34d; } svg .stage-failed .actual, svg .stage-rejected .actual { fill: #fca5a5; }
svg .task-done .actual { fill: #86efac; } svg .task-holding .actual { fill: #fcd34d; } svg .task-failed .actual { fill: #fca5a5; }
svg .task.critical .planned, svg .task.critical .actual { stroke: var(--danger); stroke-width: 2; } svg .dependency { stroke: var(--muted); stroke-width: 1.5; } svg .arrow-head { fill: var(--muted); }
svg .hold-label { fill: var(--hold); font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 1rem; }
figure.chart { margin: 0; } figure.chart svg { width: 100%; height: 4rem; border-bottom: 1px solid var(--line); } svg .bar { fill: var(--accent); }
@media (max-width: 40rem) {
  main { padding: .5rem; } header.top .who { margin-left: 0; width: 100%; }
  table, thead, tbody, tr, th, td, caption { display: block; } thead { display: none; } tr { border-bottom: 2px solid var(--line); padding: .25rem 0; } th, td { border: 0; }
}
`;
