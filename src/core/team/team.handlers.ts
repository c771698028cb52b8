// The team.* command handlers, spread into createCore's handler map. Labelers' commands take no profile
// id: they act on the acting profile's own queue, so one labeler cannot name another's.
import type { teamCommands } from '../../shared/team.schema';
import type { HandlersFor } from '../handlerMap';
import type { TeamService } from './team.service';

export type TeamHandlers = HandlersFor<typeof teamCommands>;

export function teamHandlers(s: TeamService): TeamHandlers {
  return {
    'team.start': (input) => s.start(input),
    'team.assignments': ({ datasetId }) => s.assignments(datasetId),
    'team.close': ({ assignmentId }) => s.close(assignmentId),
    'team.myQueues': () => s.myQueues(),
    'team.next': ({ assignmentId }) => ({ task: s.next(assignmentId) }),
    'team.release': ({ taskId }) => ({ released: s.release(taskId) }),
    'team.submit': ({ taskId, patch, baseVersion }) => s.submit(taskId, patch, baseVersion),
    'team.queues': ({ assignmentId }) => s.queues(assignmentId),
    'team.agreement': ({ assignmentId, bucketMs }) => s.agreement(assignmentId, bucketMs),
    'team.dashboard': ({ assignmentId }) => s.dashboard(assignmentId),
    'team.reviewQueue': ({ assignmentId, limit }) => s.reviewQueue(assignmentId, limit),
    'team.resolve': (input) => s.resolve(input),
    'team.reviews': ({ assignmentId, rowId }) => s.reviews(assignmentId, rowId),
  };
}
