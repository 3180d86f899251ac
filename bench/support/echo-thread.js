// Raw worker_threads reference: answers each { id, x } with { id, y: x + 1 }.
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (batch) => parentPort.postMessage(batch.map(({ id, x }) => ({ id, y: x + 1 }))));
