/* Rivulet dashboard: renders the model that /api/events streams. Plain browser JS, no build step;
   dagre (graph layout) and uPlot (charts) are globals served from node_modules. */
'use strict';

(function dashboard() {
  const SVG = 'http://www.w3.org/2000/svg';
  const STATE_COLORS = {
    idle: '#8d96a8',
    running: '#2e7d32',
    paused: '#f9a825',
    draining: '#ef6c00',
    finished: '#1565c0',
    stopped: '#5c6370',
    failed: '#c62828',
  };
  const NODE_WIDTH = 210;
  const NODE_HEIGHT = 54;
  const MAX_ROWS = 12;
  /** The task stream shows at most the last minute, and at least two seconds. */
  const TASK_SPAN_MIN = 2000;
  const TASK_SPAN_MAX = 60000;
  /** Overlapping tasks of one worker drawn at most this many lanes deep. */
  const MAX_LANES = 8;
  const TASK_COLORS = ['#1e88e5', '#8e24aa', '#00897b', '#6d4c41', '#3949ab', '#7cb342', '#f4511e'];

  let graphShape = '';
  let chart = null;
  /** Actors by id as of the last state (names for the graph's tooltips). */
  let actorsById = new Map();

  function element(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function formatCount(value) {
    if (value >= 1e6) return (value / 1e6).toFixed(1) + 'M';
    if (value >= 1e4) return (value / 1e3).toFixed(1) + 'k';
    return String(Math.round(value));
  }

  function formatRate(value) {
    if (value > 0 && value < 10) return value.toFixed(1) + '/s';
    return formatCount(value) + '/s';
  }

  /** The inspector page for an actor. */
  function inspectorLink(actorId) {
    return '/inspect?actor=' + encodeURIComponent(actorId);
  }

  function renderLegend() {
    const legend = document.getElementById('legend');
    for (const [state, color] of Object.entries(STATE_COLORS)) {
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.style.background = color;
      item.append(swatch, state);
      legend.append(item);
    }
  }

  /** Lays the graph out with dagre again only when its nodes or edges change. */
  function layoutGraph(graph) {
    const shape = JSON.stringify([graph.nodes.map((n) => [n.id, n.label]), graph.edges]);
    if (shape === graphShape) return;
    graphShape = shape;
    const layout = new dagre.graphlib.Graph();
    layout.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 36, marginx: 8, marginy: 8 });
    layout.setDefaultEdgeLabel(() => ({}));
    for (const node of graph.nodes) layout.setNode(String(node.id), { width: NODE_WIDTH, height: NODE_HEIGHT });
    for (const edge of graph.edges) layout.setEdge(String(edge.from), String(edge.to));
    dagre.layout(layout);

    const svg = document.getElementById('graph');
    svg.replaceChildren();
    const defs = element('defs', {});
    const marker = element('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' });
    marker.append(element('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#7b8497' }));
    defs.append(marker);
    svg.append(defs);
    for (const edge of graph.edges) {
      const points = layout.edge(String(edge.from), String(edge.to)).points;
      const d = points.map((p, i) => (i === 0 ? 'M' : 'L') + p.x + ',' + p.y).join(' ');
      svg.append(element('path', { class: 'edge', d }));
    }
    for (const node of graph.nodes) {
      const box = layout.node(String(node.id));
      const group = element('g', { class: 'node', id: 'node-' + node.id, 'data-node-id': node.id, transform: `translate(${box.x - NODE_WIDTH / 2},${box.y - NODE_HEIGHT / 2})` });
      group.addEventListener('click', () => {
        const actors = group.getAttribute('data-actors');
        if (actors) window.location.href = inspectorLink(actors.split(' ').pop());
      });
      group.append(element('rect', { width: NODE_WIDTH, height: NODE_HEIGHT }));
      group.append(element('text', { class: 'label', x: 8, y: 18 }, node.label));
      group.append(element('text', { class: 'counts', x: 8, y: 34 }));
      group.append(element('text', { class: 'counts rate', x: 8, y: 48 }));
      group.append(element('title', {}));
      svg.append(group);
    }
    const size = layout.graph();
    const width = Number.isFinite(size.width) ? Math.max(1, size.width) : 1;
    const height = Number.isFinite(size.height) ? Math.max(1, size.height) : 1;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.style.height = Math.max(240, height) + 'px';
  }

  function renderGraph(graph) {
    layoutGraph(graph);
    for (const node of graph.nodes) {
      const group = document.querySelector(`#graph g[data-node-id="${node.id}"]`);
      if (group === null) continue;
      group.setAttribute('data-state', node.state);
      group.setAttribute('data-in', node.in);
      group.setAttribute('data-out', node.out);
      group.setAttribute('data-rate', node.rate);
      group.setAttribute('data-actors', node.actors.join(' '));
      group.classList.toggle('highlight', window.location.hash === '#node-' + node.id);
      group.querySelector('rect').setAttribute('fill', STATE_COLORS[node.state] || STATE_COLORS.idle);
      const counts = group.querySelectorAll('text.counts');
      counts[0].textContent = `in ${formatCount(node.in)}  out ${formatCount(node.out)}  pending ${node.pending}` + (node.errors ? `  errors ${node.errors}` : '');
      counts[1].textContent = `${formatRate(node.rate)}  ${node.state}` + (node.credits === undefined ? '' : `  credits ${node.credits}`);
      const actors = node.actors.map((id) => {
        const actor = actorsById.get(id);
        return actor === undefined ? id : `${actor.name} (${actor.state})`;
      });
      const link = RivuletLinks.summary(node.id);
      const durable = node.durable ? `durable ${node.durable.name}: ${node.durable.stored} stored, ${node.durable.recovered} recovered, ${node.durable.repeats} repeats, ${node.durable.unconfirmed} unconfirmed\n` : '';
      group.querySelector('title').textContent = `${node.label}: ${node.kind}\n${link ? link + '\n' : ''}${durable}actors: ${actors.join(', ')}\nclick to inspect`;
    }
  }

  function renderProgress(progress) {
    for (const [id, value] of [
      ['progress-emitted', progress.emitted],
      ['progress-in-flight', progress.inFlight],
      ['progress-done', progress.done],
      ['progress-failed', progress.failed],
    ]) {
      const field = document.getElementById(id);
      field.textContent = formatCount(value);
      field.setAttribute('data-value', String(value));
    }
    const total = Math.max(1, progress.done + progress.failed + progress.inFlight);
    document.getElementById('progress-done-bar').style.width = (100 * progress.done) / total + '%';
    document.getElementById('progress-failed-bar').style.width = (100 * progress.failed) / total + '%';
  }

  function fillTable(id, rows, cells, decorate) {
    const body = document.querySelector(`#${id} tbody`);
    body.replaceChildren();
    for (const row of rows) {
      const tr = document.createElement('tr');
      for (const [value, className] of cells(row)) {
        const td = document.createElement('td');
        td.textContent = String(value);
        if (className) td.className = className;
        tr.append(td);
      }
      if (decorate) decorate(tr, row);
      body.append(tr);
    }
  }

  function renderWorkers(workers) {
    fillTable(
      'workers',
      workers,
      (w) => [[w.id], [w.status, 'status'], [w.capacity, 'num'], [w.inFlight, 'num'], [w.done, 'num'], [w.failed, 'num'], [(w.heartbeatAge / 1000).toFixed(1) + ' s', 'num']],
      (tr, w) => {
        tr.className = w.status;
        tr.setAttribute('data-worker-id', w.id);
        tr.setAttribute('data-status', w.status);
      },
    );
  }

  function renderErrors(errors) {
    const recent = errors.slice(-MAX_ROWS).reverse();
    const where = (e) => [e.node, e.worker && 'worker ' + e.worker].filter(Boolean).join(' on ');
    fillTable('errors', recent, (e) => [[new Date(e.time).toLocaleTimeString()], [where(e)], [e.element], [e.task === undefined ? '' : `${e.task}${e.seq === undefined ? '' : ' #' + e.seq}`], [e.message]]);
  }

  /** The actors of the drawn pipelines first, most recently active first; a row opens the inspector and marks its node. */
  function renderActors(actors) {
    actorsById = new Map(actors.map((a) => [a.id, a]));
    const order = (a) => (a.node === undefined ? 1 : 0);
    const rows = actors.slice().sort((a, b) => order(a) - order(b) || b.updated - a.updated).slice(0, MAX_ROWS);
    const named = (a) => (a.remote ? `${a.name} (${a.remote.host} pid ${a.remote.pid})` : a.name);
    fillTable('actors', rows, (a) => [[named(a)], [a.machine], [a.remote?.gone ? 'gone' : a.state], [a.events, 'num'], [a.lastEvent || '']], (tr, a) => {
      tr.setAttribute('data-actor', a.id);
      tr.className = a.remote?.gone ? 'link gone' : 'link';
      tr.title = 'inspect ' + a.name;
      tr.addEventListener('click', () => (window.location.href = inspectorLink(a.id)));
      if (a.node === undefined) return;
      tr.addEventListener('mouseenter', () => document.getElementById('node-' + a.node)?.classList.add('hover'));
      tr.addEventListener('mouseleave', () => document.getElementById('node-' + a.node)?.classList.remove('hover'));
    });
  }

  /**
   * Packs each worker's tasks into lanes (tasks that overlap in time go to different lanes), as
   * Dask shows one row per worker thread. Returns `[{ worker, lanes, bars: [{ task, lane }] }]`.
   */
  function packLanes(tasks, ids) {
    const rows = new Map(ids.map((id) => [id, { worker: id, ends: [], bars: [] }]));
    const sorted = tasks.slice().sort((a, b) => a.start - b.start);
    for (const task of sorted) {
      const row = rows.get(task.worker);
      if (row === undefined) continue;
      let lane = row.ends.findIndex((end) => end <= task.start);
      if (lane < 0) lane = row.ends.length < MAX_LANES ? row.ends.length : row.ends.indexOf(Math.min(...row.ends));
      row.ends[lane] = task.end;
      row.bars.push({ task, lane });
    }
    return ids.map((id) => rows.get(id));
  }

  /** Dask-style task stream: a band per worker, one bar per task, over the last minute at most. */
  function renderTasks(tasks, workers, now) {
    const canvas = document.getElementById('task-stream');
    document.getElementById('task-stream-empty').hidden = tasks.length > 0;
    const ids = Array.from(new Set(workers.map((w) => w.id).concat(tasks.map((t) => t.worker)))).sort();
    const earliest = tasks.length === 0 ? now : Math.min(...tasks.map((t) => t.start));
    const span = Math.min(TASK_SPAN_MAX, Math.max(TASK_SPAN_MIN, now - earliest));
    const start = now - span;
    const rows = packLanes(tasks.filter((t) => t.end >= start), ids);
    const laneHeight = 6;
    const bandHeight = (row) => Math.max(1, row.ends.length) * laneHeight + 6;
    const width = canvas.parentElement.clientWidth - 28;
    const height = Math.max(40, rows.reduce((sum, row) => sum + bandHeight(row), 0) + 4);
    const ratio = window.devicePixelRatio || 1;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    const context = canvas.getContext('2d');
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const labelWidth = 90;
    const scale = (width - labelWidth) / span;
    const names = new Map();
    context.font = '11px system-ui, sans-serif';
    let top = 2;
    for (const row of rows) {
      context.fillStyle = '#5a6378';
      context.fillText(row.worker.slice(0, 14), 2, top + 11);
      for (const { task, lane } of row.bars) {
        if (!names.has(task.task)) names.set(task.task, TASK_COLORS[names.size % TASK_COLORS.length]);
        const x = labelWidth + Math.max(0, task.start - start) * scale;
        const w = Math.max(1, (task.end - Math.max(task.start, start)) * scale - 1);
        context.fillStyle = task.ok ? names.get(task.task) : '#e53935';
        context.fillRect(x, top + lane * laneHeight, w, laneHeight - 1);
      }
      top += bandHeight(row);
      context.fillStyle = '#eceef2';
      context.fillRect(labelWidth, top - 3, width - labelWidth, 1);
    }
  }

  function renderThroughput(history) {
    const data = [history.times, history.emitted, history.done, history.tasks, history.errors];
    if (chart === null) {
      const container = document.getElementById('throughput');
      chart = new uPlot(
        {
          width: Math.max(320, container.clientWidth || 480),
          height: 200,
          series: [
            {},
            { label: 'emitted/s', stroke: '#1e88e5', width: 2 },
            { label: 'done/s', stroke: '#43a047', width: 2 },
            { label: 'tasks/s', stroke: '#8e24aa', width: 2 },
            { label: 'errors/s', stroke: '#e53935', width: 2 },
          ],
          axes: [{}, { size: 60 }],
        },
        data,
        container,
      );
      return;
    }
    chart.setData(data);
  }

  function render(state) {
    renderProgress(state.progress);
    renderActors(state.actors);
    RivuletLinks.render(state.links || []);
    renderGraph(state.graph);
    renderWorkers(state.workers);
    renderErrors(state.errors);
    renderTasks(state.tasks, state.workers, state.time);
    renderThroughput(state.throughput);
    document.body.setAttribute('data-updated', String(state.time));
  }

  renderLegend();
  const connection = document.getElementById('connection');
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => (connection.textContent = 'live'));
  events.addEventListener('error', () => (connection.textContent = 'reconnecting…'));
  events.addEventListener('state', (message) => render(JSON.parse(message.data)));
})();
