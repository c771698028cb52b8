// node-llama-cpp as the chaos child sees it: the paths it writes along never read a GGUF file or load a
// model, so any call here is a harness bug and says so.
const absent = (name: string) => () => {
  throw new Error(`${name}: node-llama-cpp is not loaded in the chaos child`);
};
export const getLlamaGpuTypes = async (): Promise<string[]> => [];
export const readGgufFileInfo = absent('readGgufFileInfo');
export const createModelDownloader = absent('createModelDownloader');
// Used as enum lookups when modules load; the values never matter here.
export const GgmlType = new Proxy({}, { get: (_t, k) => String(k) });
export const GgufFileType = new Proxy({}, { get: (_t, k) => String(k) });
// ggufInspect.ts checks at load that the list of architectures is not empty; the chaos paths add no model.
export const GgufArchitectureType = { llama: 'llama' };
export const resolveChatWrapper = absent('resolveChatWrapper');
// Classes some modules import (chat-template rendering, EOS bias); never constructed on the chaos paths.
export class SpecialToken {
  constructor() {
    absent('SpecialToken')();
  }
}
export class TokenBias {
  constructor() {
    absent('TokenBias')();
  }
}
