// What the page knows of the fleet: the last snapshot, kept current by live changes.

export class Fleet {
  constructor() {
    this.agents = new Map();   // agentId -> agent
    this.checks = new Map();   // "agentId/checkId" -> check
    this.time = null;
  }

  static key(check) {
    return `${check.agentId}/${check.checkId}`;
  }

  load(snapshot) {
    this.agents = new Map(snapshot.agents.map(a => [a.agentId, a]));
    this.checks = new Map(snapshot.checks.map(c => [Fleet.key(c), c]));
    this.time = snapshot.time;
  }

  /** Merges a change; says what changed, and whether something new appeared (which needs a fresh layout). */
  apply(change) {
    const result = { checks: [], agents: [], added: false };
    for (const agent of change.agents) {
      result.added ||= !this.agents.has(agent.agentId);
      this.agents.set(agent.agentId, { ...this.agents.get(agent.agentId), ...agent });
      result.agents.push(agent.agentId);
    }
    for (const check of change.checks) {
      const key = Fleet.key(check);
      const known = this.checks.get(key);
      result.added ||= !known;
      // a change leaves out the policy (it rarely changes): keep the one we have
      this.checks.set(key, known ? Object.assign(known, check) : check);
      result.checks.push(key);
    }
    if (change.time > (this.time ?? '')) {
      this.time = change.time;
    }
    return result;
  }

  /** The state people see, as the coordinator serves it (one rule, kept there): silenced, agent lost, or the phase. */
  shown(check) {
    return check.shown;
  }

  checksOf(agentId) {
    return [...this.checks.values()].filter(c => c.agentId === agentId);
  }
}
