// The last resort of `lamplight serve`: an exception or rejection nothing caught is logged with its stack
// and the host keeps serving. Only the serve command installs it; startHost never does, so tests of the
// host still see their errors (the host logs and counts handler errors itself, see host/httpGuard.ts).
import { errorText } from '../host/httpGuard';

/** Installs process-wide handlers; returns a function that removes them. */
export function installSafetyNet(write: (text: string) => unknown): () => void {
  const onException = (error: unknown, origin: string) => {
    const what = origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception';
    write(`lamplight serve: ${what} (still serving; please report it):\n${errorText(error)}\n`);
  };
  const onRejection = (reason: unknown) => onException(reason, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
