// Pictures drawn as inline SVG: a latency line with failures marked, and an incident's timeline, both with a time
// axis and readable labels. Colours and sizes come from attributes and style.css (the CSP allows no inline style).
import { esc } from './ui.js';

/** The share of successful latencies under the top of the value axis: one cold probe does not set the scale. */
const SCALE_PERCENTILE = 0.95;

/** Round numbers for a value axis: 1, 2, 5 times a power of ten. */
function niceStep(roughStep) {
  const power = 10 ** Math.floor(Math.log10(Math.max(roughStep, 1e-9)));
  const unit = roughStep / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

/** Steps for a time axis, in milliseconds, from a second to a day. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400]
  .map(s => s * 1000);

function timeStep(spanMs, ticks) {
  return TIME_STEPS.find(step => spanMs / step <= ticks) ?? TIME_STEPS[TIME_STEPS.length - 1];
}

/** A time as a label: 14:03 on a minutes axis, 14:03:07 on a seconds one. */
function clock(ms, withSeconds) {
  return new Date(ms).toLocaleTimeString([], withSeconds
    ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }
    : { hour: '2-digit', minute: '2-digit', hour12: false });
}

/** The value at {@code share} of the sorted values (nearest rank). */
export function percentile(values, share) {
  if (!values.length) {
    return 0;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];
}

/** Ticks at every multiple of {@code step} between start and end, each with its x. */
function timeTicks(start, end, step, x) {
  const ticks = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
    ticks.push({ t, x: x(t) });
  }
  return ticks;
}

/**
 * Latency over the last {@code minutes}: a line through the successful probes' latencies, a red mark at the bottom
 * for every failed probe, a value axis in ms (its top at the 95th percentile, rounded up: slower probes are drawn
 * at the top with a mark) and a time axis. A small chart ({@code height} under 80) labels only its top value and
 * its two ends. {@code points} are results, newest first, as the API gives them.
 */
export function latencyChart(points, { width, height, minutes }) {
  const end = Date.now();
  const start = end - minutes * 60_000;
  const inRange = points.filter(p => Date.parse(p.time) >= start).reverse();
  if (!inRange.length) {
    return `<svg class="chart" width="${width}" height="${height}"><text x="4" y="${height / 2}">no results in the`
      + ` last ${minutes} min</text></svg>`;
  }
  const small = height < 80;
  const left = small ? 46 : 52;
  const right = 6;
  const topPad = 6;
  const bottom = small ? 12 : 18;
  const plotW = width - left - right;
  const plotH = height - topPad - bottom;
  const up = inRange.filter(p => p.outcome === 'up');
  const latencies = up.map(p => p.latencyMs);
  const highest = Math.max(0, ...latencies);
  const valueStep = niceStep(Math.max(1, percentile(latencies, SCALE_PERCENTILE)) / (small ? 1 : 4));
  const top = Math.max(valueStep, Math.ceil(Math.max(1, percentile(latencies, SCALE_PERCENTILE)) / valueStep)
    * valueStep);
  const x = t => left + ((t - start) / (end - start)) * plotW;
  const y = ms => topPad + plotH - (Math.min(ms, top) / top) * plotH;

  const valueTicks = [];
  for (let v = 0; v <= top + 1e-9; v += valueStep) {
    valueTicks.push(v);
  }
  const valueAxis = valueTicks.map(v => `<g class="tick"><line class="grid" x1="${left}" x2="${width - right}"
      y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"></line><text class="value-label" x="${left - 4}"
      y="${(y(v) + 3).toFixed(1)}" text-anchor="end">${v} ms</text></g>`).join('');

  const axisY = topPad + plotH;
  const timeAxis = small
    ? `<text class="time-label" x="${left}" y="${height - 1}">${minutes} min ago</text>`
      + `<text class="time-label" x="${width - right}" y="${height - 1}" text-anchor="end">now</text>`
    : timeTicks(start, end, timeStep(end - start, Math.max(2, Math.floor(plotW / 90))), x).map(({ t, x: tx }) =>
      `<g class="tick"><line class="axis" x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${axisY}"
        y2="${axisY + 4}"></line><text class="time-label" x="${tx.toFixed(1)}" y="${height - 3}"
        text-anchor="middle">${clock(t, false)}</text></g>`).join('');

  const line = up.map(p => `${x(Date.parse(p.time)).toFixed(1)},${y(p.latencyMs).toFixed(1)}`);
  const clipped = up.filter(p => p.latencyMs > top).map(p => `<path class="over" d="M${
    (x(Date.parse(p.time)) - 3).toFixed(1)},${topPad + 4} l3,-5 l3,5 z"><title>${esc(p.time)}: ${p.latencyMs} ms`
    + ' (above the axis)</title></path>');
  const failures = inRange.filter(p => p.outcome !== 'up')
    .map(p => `<rect class="fail" x="${(x(Date.parse(p.time)) - 1).toFixed(1)}" y="${axisY - 5}" width="2.5"
      height="5"><title>${esc(p.time)}: ${esc(p.detail)}</title></rect>`);
  return `<svg class="chart" width="${width}" height="${height}" role="img"
      aria-label="latency, axis to ${top} ms (highest ${highest} ms); ${failures.length} failures">
    ${valueAxis}
    <line class="axis" x1="${left}" x2="${width - right}" y1="${axisY}" y2="${axisY}"></line>
    <line class="axis" x1="${left}" x2="${left}" y1="${topPad}" y2="${axisY}"></line>
    ${timeAxis}
    <polyline class="line" points="${line.join(' ')}"></polyline>
    ${clipped.join('')}
    ${failures.join('')}
  </svg>`;
}

/** A timeline entry's short name: the state a transition went to, or the action and its outcome. */
function shortName(entry) {
  if (entry.kind === 'transition') {
    const to = entry.what.split(' -> ')[1] ?? entry.what;
    return to.replace('_', ' ');
  }
  return entry.what;
}

/**
 * An incident from opened to closed (or now): a time axis with clock labels, its transitions (amber) and actions
 * (blue) as marks, each labelled on one of three rows so that neighbours do not overwrite each other (a label that
 * would still overlap is left to the mark's tooltip and the table below).
 */
export function incidentTimeline(incident) {
  const width = 900;
  const left = 16;
  const right = 16;
  const rows = [14, 28, 42];
  const lineY = 58;
  const height = 92;
  const start = Date.parse(incident.openedAt);
  const end = incident.closedAt ? Date.parse(incident.closedAt) : Date.now();
  const span = Math.max(1000, end - start);
  const x = t => left + ((t - start) / span) * (width - left - right);
  const step = timeStep(span, 8);
  const withSeconds = step < 60_000;
  const tick = (tx, text, anchor) => `<g class="tick"><line class="axis" x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}"
      y1="${lineY + 4}" y2="${lineY + 9}"></line><text class="time-label" x="${tx.toFixed(1)}" y="${lineY + 21}"
      text-anchor="${anchor}">${esc(text)}</text></g>`;
  // the ends say when it opened and closed (or that it is still open); round times in between, clear of the ends
  const ends = tick(x(start), `opened ${clock(start, true)}`, 'start')
    + tick(x(end), incident.closedAt ? `closed ${clock(end, true)}` : 'now', 'end');
  const ticks = timeTicks(start, start + span, step, x)
    .filter(({ x: tx }) => tx > x(start) + 110 && tx < x(end) - 110)
    .map(({ t, x: tx }) => tick(tx, clock(t, withSeconds), 'middle')).join('');
  const rowEnds = rows.map(() => -Infinity);
  const marks = incident.timeline.map(e => {
    const cx = x(Date.parse(e.time));
    const name = shortName(e);
    const half = name.length * 3.2 + 4;
    const labelX = Math.min(width - half, Math.max(half, cx));
    const row = rowEnds.findIndex(endX => endX < labelX - half);
    const colour = e.kind === 'action' ? '#2f6fd6' : '#e0a000';
    let label = '';
    if (row >= 0) {
      rowEnds[row] = labelX + half;
      label = `<line class="leader" x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" y1="${rows[row] + 3}"
        y2="${lineY - 6}"></line><text class="mark-label" x="${labelX.toFixed(1)}" y="${rows[row]}"
        text-anchor="middle">${esc(name)}</text>`;
    }
    return `<g class="mark">${label}<circle cx="${cx.toFixed(1)}" cy="${lineY}" r="5" fill="${colour}"><title>`
      + `${esc(e.what)}: ${esc(e.why)}</title></circle></g>`;
  });
  return `<svg class="timeline" width="${width}" height="${height}" role="img" aria-label="incident timeline">
    <line x1="${left}" y1="${lineY}" x2="${width - right}" y2="${lineY}" stroke="${incident.open ? '#d23c3c' : '#999'}"
      stroke-width="3"></line>
    ${ends}${ticks}
    ${marks.join('')}
  </svg>`;
}
