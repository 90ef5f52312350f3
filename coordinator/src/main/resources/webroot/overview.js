// The fleet at a glance: one row per host, one tile per check, counts per state, filter and search.
// Built once per snapshot as one HTML string; live changes touch only their own tiles, once per animation frame.
import { Fleet } from './fleet.js';
import { esc, STATES, STATE_LABELS } from './ui.js';

export class Overview {
  constructor({ fleet, main }) {
    this.fleet = fleet;
    this.main = main;
    this.tiles = new Map();     // "agent/check" -> tile element
    this.rows = new Map();      // agentId -> host row element
    this.pending = new Set();   // keys to redraw at the next frame
    this.pendingAgents = new Set();
    this.frame = 0;
    this.filterState = null;
    this.query = '';
  }

  async render() {
    const started = performance.now();
    const byAgent = new Map();
    for (const check of this.fleet.checks.values()) {
      if (!byAgent.has(check.agentId)) {
        byAgent.set(check.agentId, []);
      }
      byAgent.get(check.agentId).push(check);
    }
    const agents = [...this.fleet.agents.values()].sort((a, b) => a.agentId.localeCompare(b.agentId));
    const html = [];
    html.push('<h1>Fleet</h1><div class="toolbar"><input id="search" type="search" placeholder="Search host, check,'
      + ' label k=v or state" value="' + esc(this.query) + '"><span id="counts"></span></div>');
    html.push('<div class="legend">', ...STATES.map(s => `<span><span class="dot s-${s}"></span> ${STATE_LABELS[s]}</span>`),
      '</div><div class="hosts">');
    for (const agent of agents) {
      const checks = (byAgent.get(agent.agentId) ?? []).sort((a, b) => a.checkId.localeCompare(b.checkId));
      html.push(`<div class="host${agent.shown === 'agent_lost' ? ' lost' : ''}" data-agent="${esc(agent.agentId)}">`,
        `<div class="name"><a href="#/host/${esc(encodeURIComponent(agent.agentId))}">${esc(agent.agentId)}</a>`,
        agent.host && agent.host !== agent.agentId ? `<small>${esc(agent.host)}</small>` : '', '</div>',
        '<div class="tiles">');
      for (const check of checks) {
        html.push(this.tileHtml(check));
      }
      html.push('</div></div>');
    }
    html.push('</div>');
    this.main.innerHTML = html.join('');
    this.tiles.clear();
    this.rows.clear();
    this.main.querySelectorAll('[data-check]').forEach(tile => this.tiles.set(tile.dataset.check, tile));
    this.main.querySelectorAll('.host').forEach(row => this.rows.set(row.dataset.agent, row));
    const search = this.main.querySelector('#search');
    let typing = 0;
    search.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => {
        this.query = search.value.trim().toLowerCase();
        this.filter();
      }, 120);
    });
    this.filter();
    const elapsed = performance.now() - started;
    window.kelpie.lastRenderMs = elapsed;
    if (window.kelpie.firstRenderMs == null) {
      window.kelpie.firstRenderMs = performance.now();   // from navigation start: what the person waited
    }
  }

  tileHtml(check) {
    const state = this.fleet.shown(check);
    return `<a class="tile s-${state}" data-check="${esc(Fleet.key(check))}" data-state="${state}"`
      + ` href="#/check/${esc(encodeURIComponent(check.agentId))}/${esc(encodeURIComponent(check.checkId))}"`
      + ` title="${esc(this.title(check, state))}">${esc(this.tileText(check, state))}</a>`;
  }

  tileText(check, state) {
    const text = state === 'failing' ? `${check.checkId} ${check.consecutiveFailures}/${check.failureThreshold}`
      : check.checkId;
    return check.hold ? `${text} ⏸` : text;
  }

  title(check, state) {
    const last = check.lastResult;
    return `${check.checkId} on ${check.agentId}: ${STATE_LABELS[state] ?? state}`
      + (check.reason ? ` (${check.reason})` : '')
      + (check.hold ? `\nrestart ${check.hold}` : '')
      + (last ? `\nlast: ${last.outcome}, ${last.latencyMs} ms, ${last.detail ?? ''}` : '');
  }

  onSnapshot() {
    this.render();
  }

  onChange(changed) {
    if (changed.added) {
      // a new host or check: lay the page out again, once this burst is over
      clearTimeout(this.relayout);
      this.relayout = setTimeout(() => this.render(), 300);
      return;
    }
    changed.checks.forEach(key => this.pending.add(key));
    changed.agents.forEach(id => this.pendingAgents.add(id));
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => this.flush());
    }
  }

  /** Redraws what changed since the last frame: only those tiles and rows. */
  flush() {
    this.frame = 0;
    for (const id of this.pendingAgents) {
      const agent = this.fleet.agents.get(id);
      this.rows.get(id)?.classList.toggle('lost', agent?.shown === 'agent_lost');
      this.fleet.checksOf(id).forEach(check => this.pending.add(Fleet.key(check)));   // a host's silence
    }
    this.pendingAgents.clear();
    const rowsToFilter = new Set();
    for (const key of this.pending) {
      const tile = this.tiles.get(key);
      const check = this.fleet.checks.get(key);
      if (!tile || !check) {
        continue;
      }
      const state = this.fleet.shown(check);
      if (tile.dataset.state !== state) {
        tile.className = `tile s-${state}`;
        tile.dataset.state = state;
      }
      const text = this.tileText(check, state);
      if (tile.textContent !== text) {
        tile.textContent = text;
      }
      tile.title = this.title(check, state);
      if (this.filterState || this.query) {
        tile.hidden = !this.matches(check, state);
        rowsToFilter.add(check.agentId);
      }
    }
    this.pending.clear();
    rowsToFilter.forEach(id => this.hideEmptyRow(id));
    this.showCounts();
  }

  matches(check, state) {
    if (this.filterState && state !== this.filterState) {
      return false;
    }
    if (!this.query) {
      return true;
    }
    const agent = this.fleet.agents.get(check.agentId);
    return this.query.split(/\s+/).every(word => {
      if (word.includes('=')) {
        const [k, v] = word.split('=', 2);
        return Object.entries(check.labels ?? {}).some(([lk, lv]) => lk.toLowerCase() === k && lv.toLowerCase() === v);
      }
      return state === word || check.checkId.toLowerCase().includes(word) || check.agentId.toLowerCase().includes(word)
        || (agent?.host ?? '').toLowerCase().includes(word);
    });
  }

  filter() {
    for (const [key, tile] of this.tiles) {
      const check = this.fleet.checks.get(key);
      tile.hidden = !this.matches(check, tile.dataset.state);
    }
    for (const id of this.rows.keys()) {
      this.hideEmptyRow(id);
    }
    this.showCounts();
  }

  hideEmptyRow(agentId) {
    const row = this.rows.get(agentId);
    if (row) {
      const filtering = this.filterState || this.query;
      row.hidden = Boolean(filtering) && !row.querySelector('.tile:not([hidden])');
    }
  }

  showCounts() {
    const counts = Object.fromEntries(STATES.map(s => [s, 0]));
    for (const tile of this.tiles.values()) {
      counts[tile.dataset.state] = (counts[tile.dataset.state] ?? 0) + 1;
    }
    const box = this.main.querySelector('#counts');
    box.innerHTML = `<span class="muted">${this.fleet.agents.size} hosts, ${this.tiles.size} checks</span> `
      + STATES.filter(s => counts[s] > 0 || s === this.filterState).map(s =>
        `<button class="count" data-filter="${s}" aria-pressed="${s === this.filterState}">`
        + `<span class="dot s-${s}"></span>${STATE_LABELS[s]} <b>${counts[s]}</b></button>`).join(' ');
    box.querySelectorAll('[data-filter]').forEach(button => button.addEventListener('click', () => {
      this.filterState = this.filterState === button.dataset.filter ? null : button.dataset.filter;
      this.filter();
    }));
  }
}
