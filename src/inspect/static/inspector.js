/* Rivulet actor inspector: polls /api/inspect for the picked actor and draws its state machine,
   its event timeline and the protocol messages as a sequence diagram. Plain browser JS, no build
   step; dagre (graph layout) is a global served from node_modules. */
'use strict';

(function inspector() {
  const SVG = 'http://www.w3.org/2000/svg';
  const POLL_MS = 500;
  const STATE_WIDTH = 130;
  const STATE_HEIGHT = 34;
  /** Messages drawn in the sequence diagram (the newest). */
  const SEQUENCE_LENGTH = 30;
  const LANE_WIDTH = 150;
  const ROW_HEIGHT = 22;
  const LANE_ORDER = { scatter: 0, worker: 1, gather: 2 };

  let selected = new URLSearchParams(window.location.search).get('actor');
  let paused = false;
  let machineShape = '';
  let latest = null;

  function element(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function arrowMarker(id, color) {
    const marker = element('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' });
    marker.append(element('path', { d: 'M0,0 L10,5 L0,10 z', fill: color }));
    return marker;
  }

  function select(id) {
    selected = id;
    const url = new URL(window.location.href);
    url.searchParams.set('actor', id);
    window.history.replaceState(null, '', url);
    machineShape = '';
    void poll();
  }

  /** Where an actor of another process runs: `host pid 4242` (`thread 2` for a worker thread). */
  function originOf(remote) {
    return `${remote.host} pid ${remote.pid}` + (remote.thread ? ` thread ${remote.thread}` : '');
  }

  function renderActors(actors) {
    const list = document.getElementById('actor-list');
    list.replaceChildren();
    const sorted = actors.slice().sort((a, b) => (a.node === undefined) - (b.node === undefined) || a.name.localeCompare(b.name));
    for (const actor of sorted) {
      const item = document.createElement('li');
      item.setAttribute('data-actor-id', actor.id);
      item.className = [actor.id === selected && 'selected', actor.remote && 'remote', actor.remote?.gone && 'gone'].filter(Boolean).join(' ');
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = actor.name;
      const state = document.createElement('span');
      state.className = 'state';
      state.textContent = actor.remote?.gone ? `gone (was ${actor.state})` : actor.state;
      item.append(name);
      item.title = `${actor.machine} actor ${actor.id}`;
      if (actor.remote) {
        const origin = document.createElement('span');
        origin.className = 'origin';
        origin.textContent = originOf(actor.remote);
        item.append(origin);
        item.title += ' in process ' + origin.textContent;
      }
      item.append(state);
      item.addEventListener('click', () => select(actor.id));
      list.append(item);
    }
  }

  /** The state paths an actor's state value stands for (`running`, or each leaf of a nested value). */
  function activeStates(value) {
    if (!value.startsWith('{')) return [value];
    const paths = [];
    const walk = (node, prefix) => {
      if (typeof node === 'string') paths.push(prefix + node);
      else for (const [key, child] of Object.entries(node)) walk(child, prefix + key + '.');
    };
    walk(JSON.parse(value), '');
    return paths;
  }

  /** Lays the machine out again only when another machine is shown. */
  function layoutMachine(machine) {
    const shape = machine.id;
    if (shape === machineShape) return;
    machineShape = shape;
    const layout = new dagre.graphlib.Graph({ multigraph: true });
    layout.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 60, marginx: 8, marginy: 8 });
    layout.setDefaultEdgeLabel(() => ({}));
    const states = machine.transitions.some((t) => t.from === '*') ? ['*', ...machine.states] : machine.states;
    for (const state of states) layout.setNode(state, { width: STATE_WIDTH, height: STATE_HEIGHT });
    machine.transitions.forEach((t, i) => {
      const label = t.event + (t.guard ? ` [${t.guard}]` : '');
      layout.setEdge(t.from, t.to, { label, width: label.length * 6, height: 12 }, String(i));
    });
    dagre.layout(layout);

    const svg = document.getElementById('machine');
    svg.replaceChildren();
    const defs = element('defs', {});
    defs.append(arrowMarker('machine-arrow', '#7b8497'));
    svg.append(defs);
    machine.transitions.forEach((t, i) => {
      const edge = layout.edge({ v: t.from, w: t.to, name: String(i) });
      const d = edge.points.map((p, j) => (j === 0 ? 'M' : 'L') + p.x + ',' + p.y).join(' ');
      svg.append(element('path', { class: 'transition', d }));
      svg.append(element('text', { class: 'transition-label', x: edge.x - (edge.width || 0) / 2, y: edge.y }, edge.label));
    });
    for (const state of states) {
      const box = layout.node(state);
      const group = element('g', { class: state === '*' ? 'state any' : 'state', 'data-state': state, transform: `translate(${box.x - STATE_WIDTH / 2},${box.y - STATE_HEIGHT / 2})` });
      group.append(element('rect', { width: STATE_WIDTH, height: STATE_HEIGHT }));
      const text = state === '*' ? 'any state' : (state === machine.initial ? '→ ' : '') + state;
      group.append(element('text', { x: 10, y: 21 }, text));
      svg.append(group);
    }
    const size = layout.graph();
    svg.setAttribute('viewBox', `0 0 ${Math.max(1, size.width)} ${Math.max(1, size.height)}`);
    svg.style.height = Math.max(160, Math.min(420, size.height)) + 'px';
  }

  function remoteNote(remote) {
    if (!remote) return '';
    return ', in ' + originOf(remote) + (remote.gone ? ', gone' : '');
  }

  function renderMachine(detail) {
    const svg = document.getElementById('machine');
    document.getElementById('machine-empty').hidden = detail !== undefined && detail.machine !== undefined;
    document.getElementById('actor-title').textContent = detail === undefined ? '' : `${detail.actor.name} (${detail.actor.machine} machine, actor ${detail.actor.id}${remoteNote(detail.actor.remote)})`;
    const nodeLine = document.getElementById('actor-node');
    nodeLine.replaceChildren();
    if (detail !== undefined && detail.actor.node !== undefined) {
      const link = document.createElement('a');
      link.href = '/status#node-' + detail.actor.node;
      link.textContent = 'show its node in the pipeline graph';
      nodeLine.append(link);
    }
    if (detail === undefined || detail.machine === undefined) {
      svg.replaceChildren();
      machineShape = '';
      return;
    }
    layoutMachine(detail.machine);
    const active = new Set(activeStates(detail.actor.state));
    for (const group of svg.querySelectorAll('g.state')) group.classList.toggle('current', active.has(group.getAttribute('data-state')));
    svg.setAttribute('data-current', detail.actor.state);
  }

  function renderTimeline(detail) {
    const body = document.querySelector('#timeline tbody');
    body.replaceChildren();
    if (detail === undefined) return;
    for (const entry of detail.timeline.slice().reverse()) {
      const tr = document.createElement('tr');
      for (const value of [new Date(entry.time).toLocaleTimeString() + '.' + String(entry.time % 1000).padStart(3, '0'), entry.event, entry.state]) {
        const td = document.createElement('td');
        td.textContent = value;
        tr.append(td);
      }
      body.append(tr);
    }
  }

  /** The segment an actor id belongs to (`scatter-<segment>`, `gather-<segment>`), if any. */
  function segmentOf(id) {
    const match = /^(scatter|gather)-(.+)$/.exec(id || '');
    return match === null ? undefined : match[2];
  }

  function laneKind(id) {
    return id.slice(0, id.indexOf('-'));
  }

  /** Scatter, workers, gather from left to right; a lane per actor that sent or received one of the messages. */
  function lanesOf(messages) {
    const ids = new Set();
    for (const m of messages) ids.add(m.from).add(m.to);
    return [...ids].sort((a, b) => (LANE_ORDER[laneKind(a)] ?? 3) - (LANE_ORDER[laneKind(b)] ?? 3) || a.localeCompare(b));
  }

  function renderSequence(messages, names) {
    const segment = segmentOf(selected);
    const shown = messages.filter((m) => segment === undefined || m.segment === segment).slice(-SEQUENCE_LENGTH);
    document.getElementById('sequence-empty').hidden = shown.length > 0;
    const svg = document.getElementById('sequence');
    svg.replaceChildren();
    if (shown.length === 0) return;
    const defs = element('defs', {});
    defs.append(arrowMarker('seq-tasks', '#1e88e5'), arrowMarker('seq-results', '#43a047'), arrowMarker('seq-credit', '#8e24aa'));
    svg.append(defs);
    const lanes = lanesOf(shown);
    const x = (id) => LANE_WIDTH / 2 + lanes.indexOf(id) * LANE_WIDTH;
    const top = 34;
    const height = top + shown.length * ROW_HEIGHT + 10;
    lanes.forEach((id) => {
      svg.append(element('line', { class: 'lifeline', x1: x(id), y1: top - 6, x2: x(id), y2: height }));
      const head = element('g', { class: id === selected ? 'lane-head selected' : 'lane-head', 'data-lane': id, transform: `translate(${x(id) - LANE_WIDTH / 2 + 6},4)` });
      head.append(element('rect', { width: LANE_WIDTH - 12, height: 22 }));
      head.append(element('text', { x: 6, y: 15 }, (names.get(id) || id).slice(0, 24)));
      svg.append(head);
    });
    shown.forEach((m, i) => {
      const y = top + 8 + i * ROW_HEIGHT;
      const from = x(m.from);
      const to = x(m.to);
      const group = element('g', { class: 'message ' + m.kind, 'data-kind': m.kind });
      group.append(element('path', { class: 'arrow', d: `M${from},${y} L${to + (to > from ? -2 : 2)},${y}` }));
      const time = new Date(m.time).toLocaleTimeString();
      group.append(element('text', { x: Math.min(from, to) + 6, y: y - 4 }, `${m.label}`));
      group.append(element('title', {}, `${time} ${m.kind}: ${m.label}`));
      svg.append(group);
    });
    const width = lanes.length * LANE_WIDTH;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.style.height = height + 'px';
    svg.style.maxWidth = width + 'px';
  }

  function render(state) {
    latest = state;
    const names = new Map(state.actors.map((a) => [a.id, a.name]));
    renderActors(state.actors);
    renderMachine(state.selected);
    renderTimeline(state.selected);
    renderSequence(state.messages, names);
    document.body.setAttribute('data-updated', String(state.time));
  }

  async function poll() {
    const connection = document.getElementById('connection');
    try {
      const query = selected ? '?actor=' + encodeURIComponent(selected) : '';
      const response = await fetch('/api/inspect' + query, { cache: 'no-store' });
      const state = await response.json();
      connection.textContent = paused ? 'paused' : 'live';
      if (!paused) render(state);
    } catch (error) {
      connection.textContent = 'reconnecting…';
    }
  }

  document.getElementById('pause').addEventListener('click', (event) => {
    paused = !paused;
    event.target.textContent = paused ? 'resume' : 'pause';
    document.body.classList.toggle('paused', paused);
    document.getElementById('connection').textContent = paused ? 'paused' : 'live';
    if (!paused && latest !== null) void poll();
  });
  void poll();
  setInterval(() => {
    if (!paused) void poll();
  }, POLL_MS);
})();
