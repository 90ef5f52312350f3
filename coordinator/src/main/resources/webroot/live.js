// Live changes over the coordinator's event-bus bridge (/live/websocket, the SockJS raw WebSocket), never polling.
// After every (re)connection: register, then load a snapshot, then apply the changes that are newer than it.

const ADDRESS = 'kelpie.dashboard.changes';

export class Live {
  constructor({ beforeConnect, snapshot, changes }) {
    this.beforeConnect = beforeConnect;
    this.snapshot = snapshot;
    this.changes = changes;
    this.delay = 500;
    this.socket = null;
    this.status = document.getElementById('live-status');
  }

  start() {
    this.connect();
  }

  restart() {
    this.socket?.close();
  }

  show(live, text) {
    this.status.dataset.live = String(live);
    this.status.textContent = text;
  }

  async connect() {
    this.show(false, 'connecting…');
    try {
      await this.beforeConnect();   // asks to log in first when needed
    } catch (e) {
      return this.retry();
    }
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live/websocket`);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    let buffered = [];   // changes that arrive while the snapshot loads
    let since = null;
    let ping = null;
    socket.onopen = async () => {
      socket.send(JSON.stringify({ type: 'register', address: ADDRESS }));
      ping = setInterval(() => socket.send(JSON.stringify({ type: 'ping' })), 5000);
      try {
        since = await this.snapshot();
      } catch (e) {
        socket.close();
        return;
      }
      buffered.filter(change => change.time > since).forEach(change => this.changes(change));
      buffered = null;
      this.delay = 500;
      this.show(true, 'live');
    };
    socket.onmessage = event => {
      const text = typeof event.data === 'string' ? event.data : new TextDecoder().decode(event.data);
      const message = JSON.parse(text);
      if (message.type === 'err') {
        socket.close();
      } else if (message.address === ADDRESS) {
        if (buffered) {
          buffered.push(message.body);
        } else {
          this.changes(message.body);
        }
      }
    };
    socket.onclose = () => {
      clearInterval(ping);
      if (this.socket === socket) {
        this.retry();
      }
    };
  }

  retry() {
    this.show(false, 'reconnecting…');
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, 5000);
    setTimeout(() => this.connect(), delay);
  }
}
