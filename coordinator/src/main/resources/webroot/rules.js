// What the fleet rules hold now: suspected shared causes (an operator may release them), the services waiting their
// turn, flapping services, and what shadow-mode checks and rules would have done.
import { api } from './api.js';
import { esc, flash, link, when } from './ui.js';

function hostLink(agentId) {
  return link(`/host/${encodeURIComponent(agentId)}`, agentId);
}

function table(head, rows) {
  return rows.length ? `<table><tr>${head.map(h => `<th>${esc(h)}</th>`).join('')}</tr>${rows.join('')}</table>`
    : '<p class="muted">none</p>';
}

export class RulesPage {
  constructor({ mayAct, main }) {
    Object.assign(this, { mayAct, main });
  }

  async render() {
    const rules = await api('GET', '/api/rules');
    const causes = rules.correlated.map(c => `<tr><td><b>${esc(c.name)}</b></td>
      <td>${c.failingHosts} of ${c.hosts} hosts</td><td>${when(c.since)}</td>
      <td>${c.overriddenBy ? `released by ${esc(c.overriddenBy)}` : 'restarts held'}
        ${!c.overriddenBy && this.mayAct() ? `<button data-release="${esc(c.cause)}">Release…</button>` : ''}</td></tr>`);
    const waiting = rules.waiting.map(w => `<tr><td>${hostLink(w.agentId)}</td><td>${esc(w.service)}</td>
      <td>${when(w.since)}</td><td>${esc(w.why)}</td></tr>`);
    const flapping = rules.flapping.map(f => `<tr><td>${hostLink(f.agentId)}</td><td>${esc(f.service)}</td>
      <td>${when(f.since)}</td><td>${f.restarts}</td><td>${when(f.notBefore)}</td></tr>`);
    const shadow = rules.shadow.map(s => `<tr><td>${when(s.at)}</td><td>${hostLink(s.agentId)}</td>
      <td>${esc(s.checkId)}</td><td>${esc(s.what)}</td></tr>`);
    this.main.innerHTML = `<h1>Fleet rules</h1>
      <p class="muted">${rules.restartsRunning} restarts running now${rules.coordinators > 1
        ? ` across the fleet's ${rules.coordinators} coordinators (${rules.restartsRunningHere} from this one;
          ${rules.waitingElsewhere} more waiting on the others, listed there)` : ''}. Restarts held by a rule are not lost: the check
        decides again at its next failure, and a recovery in between costs nothing.</p>
      <div class="panel"><h2>Suspected shared causes</h2>${table(['cause', 'failing', 'since', ''], causes)}</div>
      <div class="panel"><h2>Waiting their turn</h2>${table(['host', 'service', 'since', 'why'], waiting)}</div>
      <div class="panel"><h2>Flapping</h2>${table(['host', 'service', 'since', 'restarts', 'next restart not before'],
        flapping)}</div>
      <div class="panel"><h2>Shadow mode: would have</h2>${table(['at', 'host', 'check', 'what'], shadow)}</div>`;
    this.main.querySelectorAll('[data-release]').forEach(button => button.addEventListener('click', async () => {
      const reason = prompt(`Release the restarts held by ${button.dataset.release}?\nWhy? (recorded with your name)`,
        '');
      if (reason === null) {
        return;
      }
      try {
        await api('POST', `/api/holds/${encodeURIComponent(button.dataset.release)}/release`,
          { reason: reason.trim() || 'from the dashboard' });
        flash(`restarts held by ${button.dataset.release} released`);
        this.render();
      } catch (e) {
        flash(e.message, true);
      }
    }));
  }
}
