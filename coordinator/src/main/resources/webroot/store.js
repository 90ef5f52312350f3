// A banner while the coordinator's database is down: decisions go on from memory, history waits to be written.
// /ready says so (open to anyone who reaches the port); it is asked every few seconds, as a load balancer would.
import { when } from './ui.js';

const EVERY_MS = 3000;

export class StoreBanner {
  constructor() {
    this.banner = document.getElementById('store-banner');
  }

  start() {
    this.check();
  }

  async check() {
    try {
      const response = await fetch('/ready', { credentials: 'same-origin', cache: 'no-store' });
      this.show((await response.json()).dependencies?.store);
    } catch (e) {
      // the coordinator itself is away: the live status says so
    }
    setTimeout(() => this.check(), EVERY_MS);
  }

  show(store) {
    const down = store && store.state !== 'up';
    this.banner.hidden = !down;
    this.banner.dataset.state = store?.state ?? 'unknown';
    if (!down) {
      return;
    }
    const since = store.downSince ? ` since ${when(store.downSince)}` : '';
    const backlog = store.backlog ? `; ${store.backlog} facts wait to be written` : '';
    this.banner.textContent = `The store (${store.kind ?? 'database'}) is ${store.state}${since}: `
      + `${store.reason ?? 'no answer'}. Kelpie keeps deciding from memory${backlog}; history shown may be behind.`;
  }
}
