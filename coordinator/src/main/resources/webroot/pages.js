// A host, a check, the incidents and the actions. Each page loads what it shows from the API, draws it, and takes
// the live changes that concern it.
import { api } from './api.js';
import { Fleet } from './fleet.js';
import { latencyChart, incidentTimeline } from './chart.js';
import { ago, esc, flash, link, STATE_LABELS, when } from './ui.js';
import { remediate, remediationLine, statusChart } from './jobs.js';

const RECENT_MINUTES = 15;

function badge(state) {
  return `<span class="badge s-${esc(state)}">${esc(STATE_LABELS[state] ?? state)}</span>`;
}

function recentResults(agentId, checkId) {
  const from = new Date(Date.now() - RECENT_MINUTES * 60_000).toISOString();
  return api('GET', `/api/checks/${encodeURIComponent(agentId)}/${encodeURIComponent(checkId)}/results`
    + `?from=${encodeURIComponent(from)}&limit=1000`).then(page => page.items).catch(() => []);
}

/** Runs an operator action, says how it went, and lets the page redraw. */
async function act(path, body, done, method = 'POST') {
  try {
    const reply = await api(method, path, body);
    flash(reply?.commandId ? `${reply.action} of ${reply.service} sent` : `${reply?.action ?? 'done'}: ok`);
    done?.();
  } catch (e) {
    flash(e.message, true);
  }
}

function askDuration(what) {
  const duration = prompt(`Silence ${what} for how long? (e.g. 30m, 2h, 1d; at most 30d)`, '1h');
  return duration ? duration.trim() : null;
}

const ACTION_QUESTIONS = {
  restart: (service, host) => `Restart ${service} on ${host}?`,
  stop: (service, host) => `Stop ${service} on ${host}? It stays down until started.`,
  start: (service, host) => `Start ${service} on ${host}?`,
  dump: (service, host) => `Take ${service}'s evidence on ${host} (thread dump, /proc status, last output)?`
    + ' It keeps running.',
};

/**
 * Asks, before a restart, stop or start, why: the answer is recorded with the action and the person's name and is
 * told on the check page and in the incident's timeline. Null when the person cancels.
 */
export function askReason(action, service, host) {
  const answer = prompt(`${ACTION_QUESTIONS[action](service, host)}\nWhy? (recorded with your name)`, '');
  if (answer === null) {
    return null;
  }
  return answer.trim() || 'from the dashboard';
}

function silencedUntil(item) {
  return item?.silencedUntil && Date.parse(item.silencedUntil) > Date.now() ? item.silencedUntil : null;
}

// --- a host ---------------------------------------------------------------------------------------------------------

/** The host's own manager that starts and stops a service (systemd, supervisord, Docker), when not Kelpie. */
function managedBy(service) {
  const m = service.manager;
  return m ? `<br><span class="muted manager" title="started and stopped through ${esc(m.type)}">${esc(m.target)}</span>`
    + managerSays(m) : '';
}

/** The manager's own view beside Kelpie's: "supervisord: RUNNING (pid 1234)"; nothing from older agents. */
export function managerSays(m) {
  if (m?.problem) {
    return `<br><span class="manager-state hold">${esc(m.problem)}</span>`;
  }
  if (!m?.state) {
    return '';
  }
  const pid = m.pid ? ` (pid ${esc(m.pid)})` : '';
  const exit = !m.pid && m.exitCode != null ? ` (exit status ${esc(m.exitCode)})` : '';
  const seen = m.seenAt ? ` title="as ${esc(m.type)} said at ${esc(new Date(m.seenAt).toISOString())}"` : '';
  return `<br><span class="manager-state"${seen}>${esc(m.type)}: ${esc(m.state)}${pid}${exit}</span>`;
}

export class HostPage {
  constructor({ fleet, mayAct, main }, agentId) {
    Object.assign(this, { fleet, mayAct, main, agentId });
    this.charts = new Map();
  }

  async render() {
    const data = await api('GET', `/api/agents/${encodeURIComponent(this.agentId)}`);
    this.agent = data.agent;
    this.main.innerHTML = `<h1>Host ${esc(this.agentId)} <span id="host-state"></span></h1>
      <div class="panel" id="host-summary"></div>
      <h2>Services</h2><div class="panel"><table id="services"></table></div>
      <h2>Checks</h2><div class="panel"><table id="checks"></table></div>`;
    this.drawSummary();
    this.drawServices();
    this.drawChecks(data.checks);
    await Promise.all(data.checks.map(async check => {
      this.charts.set(check.checkId, await recentResults(this.agentId, check.checkId));
      this.drawChart(check.checkId);
    }));
  }

  drawSummary() {
    const a = this.fleet.agents.get(this.agentId) ?? this.agent;
    const until = silencedUntil(a);
    const vitals = a.vitals;
    this.main.querySelector('#host-state').innerHTML = a.shown === 'connected' ? '' : badge(a.shown);
    this.main.querySelector('#host-summary').innerHTML = `
      <div>host <b>${esc(a.host)}</b>, agent ${esc(a.version)}, ${a.connected ? 'connected' : 'not connected'}${
        a.lastSeen ? `, last heard ${when(a.lastSeen)}` : ''}</div>
      ${vitals ? `<div class="muted">agent: ${(vitals.rssBytes / 1048576).toFixed(0)} MB resident, event-loop lag
        ${vitals.eventLoopLagMs} ms, ${vitals.bufferDepth} reports buffered</div>` : ''}
      ${until ? `<div>silenced until ${when(until)}</div>` : ''}
      ${this.mayAct() ? `<div class="buttons">${until
        ? '<button data-action="unsilence-host">Unsilence host</button>'
        : '<button data-action="silence-host">Silence host…</button>'}</div>` : ''}`;
    const path = `/api/agents/${encodeURIComponent(this.agentId)}/silence`;
    this.main.querySelector('[data-action="silence-host"]')?.addEventListener('click', () => {
      const duration = askDuration(`host ${this.agentId}`);
      if (duration) {
        act(path, { duration }, () => this.refresh());
      }
    });
    this.main.querySelector('[data-action="unsilence-host"]')?.addEventListener('click',
      () => act(path, undefined, () => this.refresh(), 'DELETE'));
  }

  drawServices() {
    const a = this.fleet.agents.get(this.agentId) ?? this.agent;
    const rows = a.services.map(s => `<tr data-service="${esc(s.name)}">
      <td><b>${esc(s.name)}</b>${s.port ? ` <span class="muted">:${esc(s.port)}</span>` : ''}${managedBy(s)}</td>
      <td class="pid num">${s.pid ?? '—'}</td>
      <td class="num">${s.pid && s.startedAt ? ago(Date.now() - s.startedAt) : '—'}</td>
      <td class="num">${s.restarts ?? 0}</td>
      <td>${s.wanted ? 'running wanted' : 'stopped on purpose'}</td>
      <td>${this.mayAct() ? `<button data-action="restart">Restart</button>
        <button data-action="stop" class="danger">Stop</button> <button data-action="start">Start</button>
        <button data-action="dump" title="thread dump, /proc status and last output, without a kill">Dump</button>`
        : ''}</td>
    </tr>`).join('');
    const table = this.main.querySelector('#services');
    table.innerHTML = `<tr><th>service</th><th>pid</th><th>up for</th><th>restarts</th><th>wanted</th><th></th></tr>`
      + (rows || '<tr><td colspan="6" class="muted">this agent supervises no service</td></tr>');
    table.querySelectorAll('button[data-action]').forEach(button => button.addEventListener('click', () => {
      const service = button.closest('tr').dataset.service;
      const action = button.dataset.action;
      const reason = askReason(action, service, this.agentId);
      if (reason === null) {
        return;
      }
      act(`/api/agents/${encodeURIComponent(this.agentId)}/services/${encodeURIComponent(service)}/${action}`,
        { reason });
    }));
  }

  drawChecks(checks) {
    const table = this.main.querySelector('#checks');
    table.innerHTML = '<tr><th>check</th><th>state</th><th>last result</th><th>latency</th><th>restarts</th>'
      + `<th>last ${RECENT_MINUTES} min</th></tr>`
      + checks.map(c => `<tr data-check-row="${esc(c.checkId)}"></tr>`).join('');
    checks.forEach(c => this.drawCheck(this.fleet.checks.get(Fleet.key(c)) ?? c));
  }

  drawCheck(check) {
    const row = this.main.querySelector(`[data-check-row="${CSS.escape(check.checkId)}"]`);
    if (!row) {
      return;
    }
    const last = check.lastResult;
    const state = this.fleet.shown(check);
    row.innerHTML = `<td>${link(`/check/${encodeURIComponent(check.agentId)}/${encodeURIComponent(check.checkId)}`,
      check.checkId)}<div class="muted">${esc(check.target)}</div></td>
      <td>${badge(state)}${state === 'failing' ? ` ${check.consecutiveFailures}/${check.failureThreshold}` : ''}
        ${check.reason ? `<div class="muted">${esc(check.reason)}</div>` : ''}
        ${check.hold ? `<div class="hold">restart ${esc(check.hold)}</div>` : ''}</td>
      <td>${last ? `${esc(last.outcome)} ${when(last.time)}<div class="muted">${esc(last.detail)}</div>` : '—'}</td>
      <td class="num">${last ? `${last.latencyMs} ms` : '—'}</td>
      <td class="num">${check.restartsUsed}/${check.restartBudget}</td>
      <td class="chart-cell"></td>`;
    this.drawChart(check.checkId);
  }

  drawChart(checkId) {
    const cell = this.main.querySelector(`[data-check-row="${CSS.escape(checkId)}"] .chart-cell`);
    if (cell && this.charts.has(checkId)) {
      cell.innerHTML = latencyChart(this.charts.get(checkId), { width: 260, height: 56, minutes: RECENT_MINUTES });
    }
  }

  refresh() {
    this.drawSummary();
    this.drawServices();
  }

  onSnapshot() {
    this.refresh();
    this.fleet.checksOf(this.agentId).forEach(check => this.drawCheck(check));
  }

  onChange(changed) {
    if (changed.agents.includes(this.agentId)) {
      this.refresh();
    }
    for (const key of changed.checks) {
      const check = this.fleet.checks.get(key);
      if (check?.agentId === this.agentId) {
        const points = this.charts.get(check.checkId);
        const last = check.lastResult;
        if (points && last && !points.some(p => p.seq === last.seq)) {
          points.unshift(last);   // newest first, like the API
        }
        this.drawCheck(check);
      }
    }
  }
}

// --- a check --------------------------------------------------------------------------------------------------------

export class CheckPage {
  constructor({ fleet, mayAct, main }, agentId, checkId) {
    Object.assign(this, { fleet, mayAct, main, agentId, checkId });
    this.base = `/api/checks/${encodeURIComponent(agentId)}/${encodeURIComponent(checkId)}`;
  }

  async render() {
    this.check = await api('GET', this.base);
    this.main.innerHTML = `<h1>${link(`/host/${encodeURIComponent(this.agentId)}`, this.agentId)} /
        ${esc(this.checkId)} <span id="check-state"></span></h1>
      <div class="panel" id="check-summary"></div>
      ${this.jobs() ? '<div id="remediation"></div>' : ''}
      <h2>Latency and failures, last ${RECENT_MINUTES} minutes</h2><div class="panel" id="check-chart"></div>
      ${this.jobs() ? `<h2>Rows per status, last ${RECENT_MINUTES} minutes</h2>
        <div class="panel" id="check-statuses"></div>` : ''}
      <h2>Policy in force</h2><div class="panel" id="check-policy"></div>
      <h2>Transitions</h2><div class="panel" id="check-transitions"></div>
      <h2>Incidents</h2><div class="panel" id="check-incidents"></div>
      <h2>Actions on ${this.jobs() ? 'it and its service' : 'its service'}</h2>
        <div class="panel" id="check-actions"></div>
      <h2>Recent results</h2><div class="panel" id="check-results"></div>`;
    this.drawSummary();
    this.drawPolicy();
    await this.loadHistory();
  }

  /** A jobs check: it shows its rows per status and may be remediated. */
  jobs() {
    return this.check?.type === 'jobs';
  }

  current() {
    const live = this.fleet.checks.get(`${this.agentId}/${this.checkId}`);
    return live ? { ...this.check, ...live, policy: this.check.policy } : this.check;
  }

  drawSummary() {
    const c = this.current();
    const state = this.fleet.shown(c);
    this.main.querySelector('#check-state').innerHTML = badge(state);
    const until = silencedUntil(c);
    this.main.querySelector('#check-summary').innerHTML = `
      <div>${esc(c.type)} ${esc(c.target)}${c.service ? `, service <b>${esc(c.service)}</b>` : ''}</div>
      <div>${c.consecutiveFailures} failures in a row (threshold ${c.failureThreshold}), restarts used
        ${c.restartsUsed}/${c.restartBudget}${c.reason ? `; ${esc(c.reason)}` : ''}</div>
      ${c.hold ? `<div class="hold">restart ${esc(c.hold)} (<a href="#/rules">rules</a>)</div>` : ''}
      ${c.incidentId ? `<div>open incident <code>${esc(c.incidentId)}</code></div>` : ''}
      ${until ? `<div>silenced until ${when(until)}</div>` : ''}
      ${Object.keys(c.labels ?? {}).length ? `<div class="muted">labels: ${Object.entries(c.labels).map(([k, v]) =>
        esc(`${k}=${v}`)).join(', ')}</div>` : ''}
      ${this.mayAct() ? `<div class="buttons">
        ${c.state === 'gave_up' ? '<button data-action="reset">Reset (start over)</button>' : ''}
        ${until ? '<button data-action="unsilence">Unsilence</button>'
          : '<button data-action="silence">Silence…</button>'}
        ${this.jobs() ? '<button data-action="remediate" title="a dry run first: it lists the stuck rows">'
          + 'Remediate…</button>' : ''}</div>` : ''}`;
    const agentPath = `/api/agents/${encodeURIComponent(this.agentId)}/checks/${encodeURIComponent(this.checkId)}`;
    this.main.querySelector('[data-action="reset"]')?.addEventListener('click',
      () => act(`${agentPath}/reset`, { reason: 'from the dashboard' }));
    this.main.querySelector('[data-action="silence"]')?.addEventListener('click', () => {
      const duration = askDuration(this.checkId);
      if (duration) {
        act(`${agentPath}/silence`, { duration });
      }
    });
    this.main.querySelector('[data-action="remediate"]')?.addEventListener('click',
      () => remediate(this.agentId, this.checkId, this.main.querySelector('#remediation'), () => this.loadHistory()));
    this.main.querySelector('[data-action="unsilence"]')?.addEventListener('click',
      () => act(`${agentPath}/silence`, undefined, null, 'DELETE'));
  }

  drawPolicy() {
    const p = this.check.policy ?? {};
    const ms = v => v == null ? '—' : v >= 1000 ? `${v / 1000} s` : `${v} ms`;
    const rows = [
      ['probe every', ms(p.intervalMs)], ['timeout', ms(p.timeoutMs)],
      ['failure threshold', `${p.failureThreshold} in a row`
        + (p.window ? `, or ${p.window.failures} of the last ${p.window.of}` : '')],
      ['healthy again after', `${p.successThreshold} success${p.successThreshold === 1 ? '' : 'es'}`],
      ['startup grace', ms(p.startupGraceMs) + (p.waitForFirstHealthy ? ', then waits for the first healthy answer'
        + ` (at most ${ms(p.startupDeadlineMs)})` : '')],
      ['acts', p.action === 'remediate' ? 'remediates: sets the stuck rows to failed'
        : p.restart ? 'restarts its service' : 'reports only'],
      ['restart budget', p.budget ? `${p.budget.restarts} per ${ms(p.budget.perMs)}, then gives up` : '—'],
      ['backoff', p.backoff ? `${ms(p.backoff.initialMs)} x${p.backoff.factor} up to ${ms(p.backoff.maxMs)}`
        + `, reset after ${ms(p.backoff.resetAfterMs)} healthy` : '—'],
    ];
    this.main.querySelector('#check-policy').innerHTML = '<dl class="policy">'
      + rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('') + '</dl>';
  }

  async loadHistory() {
    const c = this.check;
    const [results, transitions, incidents, actions] = await Promise.all([
      recentResults(this.agentId, this.checkId),
      api('GET', `${this.base}/transitions?limit=50`).then(p => p.items).catch(() => []),
      api('GET', `/api/incidents?agent=${encodeURIComponent(this.agentId)}&check=${encodeURIComponent(this.checkId)}`
        + '&limit=20').then(p => p.items).catch(() => []),
      Promise.all([c.service, this.jobs() ? this.checkId : null].filter(Boolean).map(on => api('GET',
        `/api/actions?agent=${encodeURIComponent(this.agentId)}&service=${encodeURIComponent(on)}&limit=20`)
        .then(p => p.items).catch(() => []))).then(lists => lists.flat()
        .sort((a, b) => Date.parse(b.issuedAt ?? b.finishedAt) - Date.parse(a.issuedAt ?? a.finishedAt))),
    ]);
    this.results = results;
    this.drawResults();
    this.main.querySelector('#check-transitions').innerHTML = transitions.length ? '<table><tr><th>when</th>'
      + '<th>from</th><th>to</th><th>why</th></tr>' + transitions.map(t => `<tr><td>${when(t.time)}</td>
        <td>${badge(t.from)}</td><td>${badge(t.to)}</td><td>${esc(t.reason)}</td></tr>`).join('') + '</table>'
      : '<span class="muted">none</span>';
    this.main.querySelector('#check-incidents').innerHTML = incidents.length ? '<table><tr><th>opened</th>'
      + '<th>closed</th><th>why</th></tr>' + incidents.map(i => `<tr><td>${when(i.openedAt)}</td>
        <td>${i.open ? '<b>open</b>' : when(i.closedAt)}</td><td>${esc(i.reason)}</td></tr>`).join('') + '</table>'
      : '<span class="muted">none</span>';
    this.main.querySelector('#check-actions').innerHTML = actionsTable(actions);
  }

  drawStatuses() {
    const box = this.main.querySelector('#check-statuses');
    if (box) {
      box.innerHTML = statusChart(this.results, { width: 900, height: 140, minutes: RECENT_MINUTES });
    }
  }

  drawResults() {
    this.main.querySelector('#check-chart').innerHTML = latencyChart(this.results,
      { width: 900, height: 160, minutes: RECENT_MINUTES });
    this.drawStatuses();
    this.main.querySelector('#check-results').innerHTML = this.results.length ? '<table><tr><th>when</th>'
      + '<th>outcome</th><th>latency</th><th>detail</th></tr>' + this.results.slice(0, 30).map(r => `<tr>
        <td>${when(r.time)}</td><td>${esc(r.outcome)}</td><td class="num">${r.latencyMs} ms</td>
        <td>${esc(r.detail)}</td></tr>`).join('') + '</table>' : '<span class="muted">none in the last 15 minutes</span>';
  }

  onSnapshot() {
    this.drawSummary();
  }

  onChange(changed) {
    if (!changed.checks.includes(`${this.agentId}/${this.checkId}`)) {
      return;
    }
    const before = this.shownState;
    this.drawSummary();
    const c = this.current();
    const last = c.lastResult;
    if (this.results && last && !this.results.some(r => r.seq === last.seq)) {
      this.results.unshift(last);
      this.drawResults();
    }
    this.shownState = c.state;
    if (before && before !== c.state) {
      this.loadHistory();   // a transition: its history has a new line
    }
  }
}

// --- incidents and actions ------------------------------------------------------------------------------------------

/**
 * Who ordered an action, for people: "agent" (alone, while the coordinator was away), "policy" (a check's policy:
 * the check is named), or the operator's (or script's) name. {@code checkId} is the check whose policy would be it.
 */
export function orderedBy(by, reason, checkId) {
  if (!by) {
    return 'policy';
  }
  if (by === 'agent' || by === 'policy') {
    return by;
  }
  if (by === checkId || (reason ?? '').startsWith(`${by}: `)) {
    return `policy (${by})`;
  }
  return `operator ${by}`;
}

function actionsTable(actions) {
  return actions.length ? '<table><tr><th>when</th><th>who</th><th>what</th><th>service</th><th>why</th>'
    + '<th>outcome</th></tr>' + actions.map(a => `<tr><td>${when(a.issuedAt)}</td>
      <td class="who">${esc(orderedBy(a.issuedBy, a.reason))}</td>
      <td>${esc(a.action)}${a.remediation?.dryRun ? ' (dry run)' : ''}</td><td>${a.agentId ? link(`/host/${encodeURIComponent(a.agentId)}`, a.agentId) : ''}
      ${esc(a.service ?? '')}</td><td>${esc(a.reason)}</td><td>${esc(a.status ?? '')}${a.durationMs != null
        ? ` in ${a.durationMs} ms` : ''}<div class="muted">${esc(a.detail ?? '')}</div>${evidenceBlock(a.evidence)}
      ${a.remediation ? `<div class="remediation">${esc(remediationLine(a.remediation))}</div>` : ''}
      </td></tr>`).join('')
    + '</table>' : '<span class="muted">none</span>';
}

/** What the agent took before a kill, a restart or a dump: a line, opened into the thread dump and last output. */
function evidenceBlock(evidence) {
  if (!evidence) {
    return '';
  }
  const kick = evidence.lastKick ? `<div>last heartbeat kick ${when(new Date(evidence.lastKick).toISOString())}</div>`
    : '';
  const missing = (evidence.missing ?? []).map(why => `<div class="muted">not taken: ${esc(why)}</div>`).join('');
  const text = (title, body) => body ? `<div class="evidence-part">${esc(title)}</div><pre>${esc(body)}</pre>` : '';
  return `<details class="evidence"><summary>evidence: ${esc(evidence.summary)}</summary>${kick}${missing}
    ${text('thread dump', evidence.threadDump)}
    ${text(`last output (${evidence.outputSource ?? '?'})`, evidence.outputTail)}</details>`;
}

export class IncidentsPage {
  constructor({ main }) {
    this.main = main;
  }

  async render() {
    const [open, all] = await Promise.all([
      api('GET', '/api/incidents?state=open&limit=200').then(p => p.items),
      api('GET', '/api/incidents?limit=200').then(p => p.items),
    ]);
    const closed = all.filter(i => !i.open);
    this.main.innerHTML = `<h1>Incidents</h1>
      <div class="panel"><h2 class="first">Open (${open.length})</h2>${this.list(open)}</div>
      <div class="panel"><h2 class="first">Closed, newest first</h2>${this.list(closed)}</div>`;
    this.main.querySelectorAll('details[data-incident]').forEach(details => details.addEventListener('toggle',
      async () => {
        if (!details.open || details.dataset.loaded) {
          return;
        }
        details.dataset.loaded = 'true';
        const incident = await api('GET', `/api/incidents/${encodeURIComponent(details.dataset.incident)}`);
        details.querySelector('.timeline-box').innerHTML = incidentTimeline(incident)
          + '<table><tr><th>when</th><th>what</th><th>who</th><th>why</th></tr>' + incident.timeline.map(e => `<tr>
            <td>${when(e.time)}</td><td>${esc(e.what)}</td>
            <td class="who">${e.kind === 'action' ? esc(orderedBy(e.by, e.why, incident.checkId)) : ''}</td>
            <td>${esc(e.why)}${evidenceBlock(e.evidence)}${e.remediation ? `<div class="remediation">`
              + `${esc(remediationLine(e.remediation))}</div>` : ''}</td></tr>`)
            .join('') + '</table>';
      }));
  }

  list(incidents) {
    return incidents.length ? incidents.map(i => `<details data-incident="${esc(i.id)}"><summary>
        <b>${esc(i.agentId)} / ${esc(i.checkId)}</b> — ${when(i.openedAt)}${i.open ? '' : ` to ${when(i.closedAt)}`}:
        ${esc(i.reason)}</summary><div class="timeline-box muted">loading…</div></details>`).join('')
      : '<span class="muted">none</span>';
  }
}

export class ActionsPage {
  constructor({ main }) {
    this.main = main;
  }

  async render() {
    const actions = await api('GET', '/api/actions?limit=200').then(p => p.items);
    this.main.innerHTML = `<h1>Actions</h1><p class="muted">What Kelpie and people did, newest first: who
      (an operator's or script's name, the policy of a check, or the agent alone), why, and how it went.</p>
      <div class="panel">${actionsTable(actions)}</div>`;
  }
}
