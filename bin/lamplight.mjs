#!/usr/bin/env node
// Entry point of the `lamplight` command. Runs the TypeScript sources through tsx, so `npx lamplight`
// works straight from a clone without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (process.argv[2] !== 'serve') process.exit(code);
else process.exitCode = code;
