// Small helpers shared by the pages.

/** Text made safe for innerHTML: ids, details and reasons come from remote hosts. */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, c => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

export function flash(text, error = false) {
  const box = document.getElementById('flash');
  const message = document.createElement('div');
  message.className = error ? 'msg error' : 'msg';
  message.textContent = text;
  box.append(message);
  setTimeout(() => message.remove(), error ? 9000 : 5000);
}

export const STATES = ['healthy', 'failing', 'unhealthy', 'backing_off', 'acting', 'starting', 'unknown', 'gave_up',
  'paused', 'silenced', 'agent_lost'];

export const STATE_LABELS = {
  healthy: 'healthy', failing: 'failing', unhealthy: 'unhealthy', backing_off: 'backing off', acting: 'acting',
  starting: 'in grace', unknown: 'no result yet', gave_up: 'gave up', paused: 'stopped', silenced: 'silenced',
  agent_lost: 'agent lost',
};

/** The time as people read it: 14:03:07 today, else with the date. */
export function when(iso) {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}

export function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

export function link(hash, text) {
  return `<a href="#${esc(hash)}">${esc(text)}</a>`;
}
