// The extraction.* command handlers.
import type { extractionCommands } from '../../shared/extraction.schema';
import type { HandlersFor } from '../handlerMap';
import type { ExtractionService } from './extraction.service';

export type ExtractionHandlers = HandlersFor<typeof extractionCommands>;

export function extractionHandlers(s: ExtractionService): ExtractionHandlers {
  return {
    'extraction.list': () => s.list(),
    'extraction.get': ({ id }) => s.get(id),
    'extraction.save': (input) => s.save(input),
    'extraction.history': ({ id }) => s.history(id),
    'extraction.remove': ({ id }) => s.remove(id),
    'extraction.pdfPages': ({ path }) => s.pdfPages(path),
    'extraction.renderPdf': ({ path, pages, dpi }) => s.renderPdf(path, pages, dpi),
    'extraction.fieldResults': ({ evalId }) => s.fieldResults(evalId),
  };
}
