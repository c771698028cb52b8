// Preloaded (node --require) by the offline test: any fetch or socket in any thread is logged and refused.
/* eslint-disable @typescript-eslint/no-require-imports -- a --require preload runs before any loader: CommonJS */
const { isMainThread } = require('node:worker_threads');
const fs = require('node:fs');
const note = (what) => { fs.appendFileSync(process.env.NONET_LOG, `${isMainThread ? 'main' : 'worker'} ${what}\n`); };
note('loaded');
globalThis.fetch = async (u) => { note(`fetch ${u}`); throw new Error('network disabled in this test'); };
const net = require('node:net');
const connect = net.Socket.prototype.connect;
// Local IPC (a unix socket path: tsx talks to its loader this way) is not the network; TCP is.
const isIpc = (a) => typeof a === 'string' || (Array.isArray(a) && a[0] && typeof a[0].path === 'string') || (a && typeof a.path === 'string');
net.Socket.prototype.connect = function (...a) {
  if (isIpc(a[0])) return connect.apply(this, a);
  note('connect ' + JSON.stringify(a[0]));
  throw new Error('network disabled in this test');
};
