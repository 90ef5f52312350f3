// Kelpie's dashboard: one page, hash routes, live changes over the coordinator's event-bus bridge at /live.
// No framework and no build step: the coordinator serves these files as they are.
import { api, setUnauthenticatedHandler } from './api.js';
import { Fleet } from './fleet.js';
import { Live } from './live.js';
import { Overview } from './overview.js';
import { RulesPage } from './rules.js';
import { HostPage, CheckPage, IncidentsPage, ActionsPage } from './pages.js';
import { StoreBanner } from './store.js';
import { flash } from './ui.js';

const main = document.getElementById('main');
const fleet = new Fleet();
window.kelpie = { appliedChanges: 0, firstRenderMs: null, lastRenderMs: null, fleet };

let me = null;          // {user, role, local}
let page = null;        // the page shown now; it gets live changes while shown
let waitingForLogin = null;

// --- who is here ---------------------------------------------------------------------------------------------------

const loginForm = document.getElementById('login');
loginForm.addEventListener('submit', async event => {
  event.preventDefault();
  const data = new FormData(loginForm);
  document.getElementById('login-error').textContent = '';
  try {
    await api('POST', '/api/session', { username: data.get('username'), password: data.get('password') },
      { noLoginPrompt: true });
    loginForm.reset();
    loginForm.hidden = true;
    const resume = waitingForLogin;
    waitingForLogin = null;
    resume?.();
  } catch (e) {
    document.getElementById('login-error').textContent = e.message;
  }
});

/** Shows the login form; resolves once someone has logged in. */
function askToLogIn() {
  loginForm.hidden = false;
  loginForm.querySelector('input[name=username]').focus();
  if (!waitingForLogin) {
    let resolve;
    const loggedIn = new Promise(r => { resolve = r; });
    waitingForLogin = resolve;
    askToLogIn.pending = loggedIn;
  }
  return askToLogIn.pending;
}
setUnauthenticatedHandler(askToLogIn);

async function whoAmI() {
  me = await api('GET', '/api/session');   // also renews the CSRF cookie for this session
  while (!me.user) {
    await askToLogIn();
    me = await api('GET', '/api/session');
  }
  document.getElementById('whoami').textContent = me.local ? 'viewing locally (read-only)'
    : `${me.user} (${me.role})`;
  document.getElementById('logout').hidden = me.local;
  document.getElementById('login-open').hidden = !me.local;
  document.body.classList.toggle('operator', me.role === 'operator');
  return me;
}

document.getElementById('logout').addEventListener('click', async () => {
  await api('DELETE', '/api/session').catch(() => {});
  me = null;
  live.restart();
});

// A local viewer looks without logging in; "Log in" lets them log in anyway, to act.
document.getElementById('login-open').addEventListener('click', async () => {
  const cancel = document.getElementById('login-cancel');
  cancel.hidden = false;
  cancel.onclick = () => { loginForm.hidden = true; cancel.hidden = true; };
  await askToLogIn();
  cancel.hidden = true;
  live.restart();
});

export function mayAct() {
  return me && me.role === 'operator';
}

// --- live ----------------------------------------------------------------------------------------------------------

const live = new Live({
  beforeConnect: async () => {
    await whoAmI();
  },
  snapshot: async () => {
    const snapshot = await api('GET', '/api/checks?view=summary');
    fleet.load(snapshot);
    renderPage(true);
    return snapshot.time;
  },
  changes: change => {
    const changed = fleet.apply(change);
    window.kelpie.appliedChanges += change.checks.length;
    page?.onChange?.(changed);
  },
});

// --- pages ---------------------------------------------------------------------------------------------------------

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const context = { fleet, mayAct, main, refresh: () => renderPage(true) };
  switch (parts[0]) {
    case 'host': return new HostPage(context, parts[1]);
    case 'check': return new CheckPage(context, parts[1], parts[2]);
    case 'incidents': return new IncidentsPage(context);
    case 'actions': return new ActionsPage(context);
    case 'rules': return new RulesPage(context);
    default: return new Overview(context);
  }
}

function renderPage(fromSnapshot) {
  const key = location.hash;
  if (page && page.key === key && fromSnapshot) {
    page.onSnapshot?.();
    return;
  }
  page?.leave?.();
  page = route();
  page.key = key;
  page.render().catch(e => flash(e.message, true));
}

window.addEventListener('hashchange', () => renderPage(false));
window.addEventListener('unhandledrejection', event => {
  if (event.reason?.status !== 401) {
    flash(event.reason?.message ?? String(event.reason), true);
  }
});

live.start();
new StoreBanner().start();
