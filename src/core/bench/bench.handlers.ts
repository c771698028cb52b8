// The bench.* and costs.* command handlers over the BenchService.
import type { benchCommands } from '../../shared/bench.schema';
import type { BenchService } from './bench.service';
import type { HandlersFor } from '../handlerMap';

export type BenchHandlers = HandlersFor<typeof benchCommands>;

export function benchHandlers(bench: BenchService): BenchHandlers {
  return {
    'bench.start': (def) => bench.start(def),
    'bench.cancel': ({ benchId }) => bench.cancel(benchId),
    'bench.list': ({ limit }) => bench.list(limit),
    'bench.get': ({ benchId }) => bench.get(benchId),
    'bench.remove': ({ benchId }) => bench.remove(benchId),
    'bench.export': ({ benchId, path }) => bench.export(benchId, path),
    'costs.list': () => bench.costs(),
    'costs.set': (input) => bench.setCost(input),
    'costs.remove': ({ targetKey }) => bench.removeCost(targetKey),
  };
}
