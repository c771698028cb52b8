import { describe, expect, it } from 'vitest';
import { ApiServerSettings } from '../../../shared/apiServer.schema';
import { curlExample, DEFAULT_API_SERVER_FORM, parseApiServerForm } from './apiServerForm';

describe('parseApiServerForm', () => {
  it('defaults match the contract', () => {
    const r = parseApiServerForm(DEFAULT_API_SERVER_FORM);
    expect(r).toEqual({ ok: true, settings: ApiServerSettings.parse({}) });
  });
  it('passes a key of its own through, blank asks the core to generate one', () => {
    const r = parseApiServerForm({ ...DEFAULT_API_SERVER_FORM, port: '0', parallel: '4', key: '  my-long-key  ' });
    expect(r).toEqual({ ok: true, settings: { port: 0, parallel: 4, key: 'my-long-key', host: '127.0.0.1', tls: 'none', tlsCert: null, tlsKey: null } });
    if (r.ok) expect(ApiServerSettings.parse(r.settings)).toEqual(r.settings);
  });
  it('reports bad fields', () => {
    const r = parseApiServerForm({ ...DEFAULT_API_SERVER_FORM, port: '70000', parallel: '0', key: 'short' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['key', 'parallel', 'port']);
  });
});

describe('listen address and TLS', () => {
  it('refuses a non-loopback address without TLS, naming the address', () => {
    const r = parseApiServerForm({ ...DEFAULT_API_SERVER_FORM, host: '0.0.0.0' });
    expect(r).toEqual({ ok: false, errors: { host: 'Plain HTTP only on 127.0.0.1: choose TLS to listen on 0.0.0.0' } });
  });
  it('passes a team address with a self-signed certificate, and asks for both files in file mode', () => {
    const r = parseApiServerForm({ ...DEFAULT_API_SERVER_FORM, host: ' 0.0.0.0 ', tls: 'self-signed', tlsCert: 'ignored' });
    expect(r.ok && r.settings).toMatchObject({ host: '0.0.0.0', tls: 'self-signed', tlsCert: null, tlsKey: null });
    if (r.ok) expect(ApiServerSettings.parse(r.settings)).toEqual(r.settings);
    const f = parseApiServerForm({ ...DEFAULT_API_SERVER_FORM, host: 'lamplight.lan', tls: 'files', tlsCert: '/etc/c.pem' });
    expect(f.ok ? null : Object.keys(f.errors)).toEqual(['tlsKey']);
  });
});

describe('curlExample', () => {
  it('never contains a key, only the variable', () => {
    const c = curlExample('http://127.0.0.1:8181/v1', 'tiny');
    expect(c).toContain('http://127.0.0.1:8181/v1/chat/completions');
    expect(c).toContain('$LAMPLIGHT_KEY');
    expect(c).toContain('"model":"tiny"');
  });
});
