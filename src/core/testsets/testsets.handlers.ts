// The testsets.* command handlers, spread into createCore's handler map. Inputs arrive parsed by
// testSetCommands' schemas (the transport boundary does that); handlers only call the service.
import type { TestSetCommands } from '../../shared/testsets.schema';
import type { TestSetsService } from './testsets.service';
import type { HandlersFor } from '../handlerMap';

export type TestSetHandlers = HandlersFor<TestSetCommands>;

export function testSetHandlers(testSets: TestSetsService): TestSetHandlers {
  return {
    'testsets.list': () => testSets.list(),
    'testsets.get': ({ testSetId }) => testSets.get(testSetId),
    'testsets.create': ({ name, variables, imageVariables }) => testSets.create(name, variables, imageVariables),
    'testsets.remove': ({ testSetId }) => ({ removed: testSets.remove(testSetId) }),
    'testsets.preview': (input) => testSets.preview(input),
    'testsets.import': (input) => testSets.import(input),
    'testsets.cancelImport': ({ importId }) => ({ cancelled: testSets.cancelImport(importId) }),
    'testsets.rows': ({ testSetId, offset, limit }) => testSets.rows(testSetId, offset, limit),
    'testsets.addRow': ({ testSetId, ...row }) => testSets.addRow(testSetId, row),
    'testsets.updateRow': ({ rowId, ...row }) => testSets.updateRow(rowId, row),
    'testsets.deleteRow': ({ rowId }) => ({ removed: testSets.deleteRow(rowId) }),
    'testsets.addVariable': ({ testSetId, name, image }) => testSets.addVariable(testSetId, name, image),
    'testsets.removeVariable': ({ testSetId, name }) => testSets.removeVariable(testSetId, name),
    'testsets.renameVariable': ({ testSetId, from, to }) => testSets.renameVariable(testSetId, from, to),
    'testsets.exportJsonl': ({ testSetId, path }) => testSets.exportJsonl(testSetId, path),
  };
}
