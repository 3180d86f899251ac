/* Rivulet dashboard: the Links panel and the link line of a toNats/fromNats node's tooltip, from
   the model's `links` (one row per link end). Plain browser JS, loaded before dashboard.js. */
'use strict';

window.RivuletLinks = (function links() {
  /** Link ends by graph node id, as of the last state. */
  let byNode = new Map();

  function endName(link) {
    return link.end === 'producer' ? 'producer' : `consumer (${link.queue})`;
  }

  function details(link) {
    if (link.end === 'producer') return `consumers ${link.consumers} · sent ${link.sent} · waiting ${link.waiting} · resent ${link.resent}`;
    return `held ${link.held} · duplicates ${link.duplicates}`;
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = String(text);
    if (className) td.className = className;
    return td;
  }

  function row(link) {
    const tr = document.createElement('tr');
    tr.className = 'link';
    tr.title = 'inspect this link end';
    for (const [name, value] of [['node-id', link.node], ['end', link.end], ['state', link.state], ['credits', link.credits], ['available', link.available], ['unacknowledged', link.unacknowledged]]) {
      tr.setAttribute('data-' + name, String(value));
    }
    tr.append(cell(endName(link)), cell(link.subject), cell(link.state), cell(`${link.available}/${link.credits} free`, 'num'), cell(link.unacknowledged, 'num'), cell(details(link)));
    tr.addEventListener('click', () => (window.location.href = '/inspect?actor=' + encodeURIComponent(link.actor)));
    return tr;
  }

  function render(ends) {
    byNode = new Map(ends.map((link) => [link.node, link]));
    document.querySelector('#links tbody').replaceChildren(...ends.map(row));
    document.getElementById('links-empty').hidden = ends.length > 0;
  }

  /** The tooltip line of node `id` if it is a link end, else ''. */
  function summary(id) {
    const link = byNode.get(id);
    if (link === undefined) return '';
    if (link.end === 'producer') return `link to ${link.subject}: ${link.credits} credits held, ${link.available} free, ${link.unacknowledged} unacknowledged, ${link.waiting} emits waiting`;
    return `link from ${link.subject} (${link.queue}): ${link.credits} credits granted, ${link.available} free, ${link.held} held, ${link.unacknowledged} unacknowledged`;
  }

  return { render, summary };
})();
