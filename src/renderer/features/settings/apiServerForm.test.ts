import { describe, expect, it } from 'vitest';
import { ApiServerSettings } from '../../../shared/apiServer.schema';
import { curlExample, DEFAULT_API_SERVER_FORM, parseApiServerForm } from './apiServerForm';

describe('parseApiServerForm', () => {
  it('defaults match the contract', () => {
    const r = parseApiServerForm(DEFAULT_API_SERVER_FORM);
    expect(r).toEqual({ ok: true, settings: ApiServerSettings.parse({}) });
  });
  it('passes a key of its own through, blank asks the core to generate one', () => {
    const r = parseApiServerForm({ port: '0', parallel: '4', key: '  my-long-key  ' });
    expect(r).toEqual({ ok: true, settings: { port: 0, parallel: 4, key: 'my-long-key' } });
    if (r.ok) expect(ApiServerSettings.parse(r.settings)).toEqual(r.settings);
  });
  it('reports bad fields', () => {
    const r = parseApiServerForm({ port: '70000', parallel: '0', key: 'short' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['key', 'parallel', 'port']);
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
