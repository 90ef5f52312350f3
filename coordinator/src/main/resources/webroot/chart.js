// Pictures drawn as inline SVG: a latency line with failures marked, and an incident's timeline.
import { esc } from './ui.js';

/**
 * Latency over the last {@code minutes}: a line through the successful probes' latencies, a red mark at the bottom
 * for every failed probe. {@code points} are results, newest first, as the API gives them.
 */
export function latencyChart(points, { width, height, minutes }) {
  const end = Date.now();
  const start = end - minutes * 60_000;
  const inRange = points.filter(p => Date.parse(p.time) >= start).reverse();
  if (!inRange.length) {
    return `<svg class="chart" width="${width}" height="${height}"><text x="4" y="${height / 2}">no results in the`
      + ` last ${minutes} min</text></svg>`;
  }
  const top = Math.max(1, ...inRange.filter(p => p.outcome === 'up').map(p => p.latencyMs));
  const x = t => ((Date.parse(t) - start) / (end - start)) * (width - 2) + 1;
  const y = ms => height - 8 - (Math.min(ms, top) / top) * (height - 18);
  const line = inRange.filter(p => p.outcome === 'up').map(p => `${x(p.time).toFixed(1)},${y(p.latencyMs).toFixed(1)}`);
  const failures = inRange.filter(p => p.outcome !== 'up')
    .map(p => `<rect class="fail" x="${(x(p.time) - 1).toFixed(1)}" y="${height - 6}" width="2.5" height="6">`
      + `<title>${esc(p.time)}: ${esc(p.detail)}</title></rect>`);
  return `<svg class="chart" width="${width}" height="${height}" role="img"
      aria-label="latency, max ${top} ms; ${failures.length} failures">
    <text x="2" y="9">${top} ms</text>
    <polyline class="line" points="${line.join(' ')}"></polyline>
    ${failures.join('')}
  </svg>`;
}

/** An incident from opened to closed (or now), with its transitions and actions as marks along the way. */
export function incidentTimeline(incident) {
  const width = 900;
  const height = 58;
  const start = Date.parse(incident.openedAt);
  const end = incident.closedAt ? Date.parse(incident.closedAt) : Date.now();
  const span = Math.max(1, end - start);
  const x = t => 10 + ((Date.parse(t) - start) / span) * (width - 20);
  const marks = incident.timeline.map((e, i) => {
    const cx = x(e.time).toFixed(1);
    const colour = e.kind === 'action' ? '#2f6fd6' : '#e0a000';
    return `<g><circle cx="${cx}" cy="24" r="5" fill="${colour}"><title>${esc(e.what)}: ${esc(e.why)}</title></circle>`
      + `<text x="${cx}" y="${i % 2 ? 50 : 12}" text-anchor="middle">${esc(e.what)}</text></g>`;
  });
  return `<svg class="timeline" width="${width}" height="${height}" role="img" aria-label="incident timeline">
    <line x1="10" y1="24" x2="${width - 10}" y2="24" stroke="${incident.open ? '#d23c3c' : '#999'}" stroke-width="3"/>
    ${marks.join('')}
  </svg>`;
}
