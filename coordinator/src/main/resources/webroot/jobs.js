// What a jobs check shows beside the rest of its page: its rows per status over time (from the results' detail,
// "...; by status: done 120, failed 2, running 5"), and the remediation an operator can order, after a dry run.
import { api } from './api.js';
import { esc, flash } from './ui.js';

const SERIES = 6;

/** The per-status counts one result's detail carries, or null when it carries none (a failed count). */
export function statusCounts(detail) {
  const at = (detail ?? '').indexOf('by status: ');
  if (at < 0) {
    return null;
  }
  const counts = {};
  const text = detail.slice(at + 'by status: '.length);
  if (text.startsWith('no rows')) {
    return counts;
  }
  for (const part of text.split(', ')) {
    const space = part.lastIndexOf(' ');
    const n = Number(part.slice(space + 1));
    if (space > 0 && Number.isFinite(n)) {
      counts[part.slice(0, space)] = n;
    }
  }
  return counts;
}

/** Rows per status over the last {@code minutes}, one line per status, with a legend; results newest first. */
export function statusChart(results, { width, height, minutes }) {
  const end = Date.now();
  const start = end - minutes * 60_000;
  const points = results.filter(r => Date.parse(r.time) >= start).reverse()
    .map(r => ({ t: Date.parse(r.time), counts: statusCounts(r.detail) })).filter(p => p.counts);
  if (!points.length) {
    return `<svg class="chart" width="${width}" height="${height}"><text x="4" y="${height / 2}">no counts in the`
      + ` last ${minutes} min</text></svg>`;
  }
  const statuses = [...new Set(points.flatMap(p => Object.keys(p.counts)))].sort();
  const left = 52;
  const right = 110;
  const topPad = 6;
  const bottom = 18;
  const plotW = width - left - right;
  const plotH = height - topPad - bottom;
  const top = Math.max(1, ...points.flatMap(p => Object.values(p.counts)));
  const x = t => left + ((t - start) / (end - start)) * plotW;
  const y = n => topPad + plotH - (n / top) * plotH;
  const axisY = topPad + plotH;
  const lines = statuses.map((status, i) => {
    const line = points.map(p => `${x(p.t).toFixed(1)},${y(p.counts[status] ?? 0).toFixed(1)}`).join(' ');
    const last = points[points.length - 1].counts[status] ?? 0;
    return `<polyline class="series series-${i % SERIES}" points="${line}"><title>${esc(status)}</title></polyline>
      <rect class="series-key series-${i % SERIES}" x="${width - right + 8}" y="${topPad + i * 14}" width="10"
        height="3"></rect><text x="${width - right + 22}" y="${topPad + i * 14 + 5}">${esc(status)} ${last}</text>`;
  }).join('');
  return `<svg class="chart jobs-chart" width="${width}" height="${height}" role="img"
      aria-label="rows per status: ${esc(statuses.join(', '))}">
    <text class="value-label" x="${left - 4}" y="${topPad + 8}" text-anchor="end">${top} rows</text>
    <text class="value-label" x="${left - 4}" y="${axisY}" text-anchor="end">0</text>
    <line class="axis" x1="${left}" x2="${left + plotW}" y1="${axisY}" y2="${axisY}"></line>
    <line class="axis" x1="${left}" x2="${left}" y1="${topPad}" y2="${axisY}"></line>
    <text class="time-label" x="${left}" y="${height - 3}">${minutes} min ago</text>
    <text class="time-label" x="${left + plotW}" y="${height - 3}" text-anchor="end">now</text>
    ${lines}
  </svg>`;
}

/** What a remediation listed or changed, as a line: "dry run: 3 rows would be set to failed: 1, 2, 6". */
export function remediationLine(r) {
  if (!r) {
    return '';
  }
  const rows = r.count === 1 ? '1 row' : `${r.count} rows`;
  return (r.dryRun ? `dry run: ${rows} would be set to failed` : `${rows} set to failed`)
    + (r.ids?.length ? `: ${r.ids.join(', ')}` : '');
}

/**
 * The Remediate button's work: a dry run first, its rows shown in {@code box} with a button that orders the real
 * remediation (asking why); {@code done} redraws the page's history after either.
 */
export async function remediate(agentId, checkId, box, done) {
  const path = `/api/agents/${encodeURIComponent(agentId)}/checks/${encodeURIComponent(checkId)}/remediate`;
  box.innerHTML = '<span class="muted">dry run…</span>';
  let dry;
  try {
    dry = await api('POST', path, { dryRun: true, reason: 'dry run from the dashboard' });
  } catch (e) {
    box.innerHTML = '';
    flash(e.message, true);
    return;
  }
  done?.();
  if (!dry.remediation) {
    box.innerHTML = `<span class="muted">dry run sent (command ${esc(dry.commandId)}); no answer yet: see the
      actions below</span>`;
    return;
  }
  box.innerHTML = `<div class="remediation-preview">${esc(remediationLine(dry.remediation))}</div>`
    + (dry.remediation.count ? `<button data-action="remediate-now">Set these ${dry.remediation.count} to failed…`
      + '</button> <button data-action="remediate-cancel">Cancel</button>' : '');
  box.querySelector('[data-action="remediate-cancel"]')?.addEventListener('click', () => { box.innerHTML = ''; });
  box.querySelector('[data-action="remediate-now"]')?.addEventListener('click', async () => {
    const reason = prompt(`Set the stuck rows of ${checkId} on ${agentId} to failed? Only rows still stuck are `
      + 'changed.\nWhy? (recorded with your name and written with each row)', '');
    if (reason === null) {
      return;
    }
    try {
      const run = await api('POST', path, { dryRun: false, reason: reason.trim() || 'from the dashboard' });
      box.innerHTML = `<div class="remediation-done">${esc(run.remediation ? remediationLine(run.remediation)
        : `remediation sent (command ${run.commandId})`)}</div>`;
      flash(run.remediation ? remediationLine(run.remediation) : 'remediation sent');
      done?.();
    } catch (e) {
      flash(e.message, true);
    }
  });
}
