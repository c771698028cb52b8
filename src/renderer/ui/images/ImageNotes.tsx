import { useState } from 'react';
import type { ImageImportNote } from '../../../shared/datasets.schema';
import { cleanNotes, fileWithDetail, groupNotes, LISTED_FILES, noteSentence } from './imageNotes';
import './imageNotes.css';

/** An "i" in a circle: the mark of a note (what changed, nothing wrong). */
function NoteIcon(): React.JSX.Element {
  return (
    <svg className="img-note-icon" viewBox="0 0 16 16" aria-hidden>
      <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" strokeWidth="1.3" />
      <rect x="7.3" y="7" width="1.4" height="4.6" rx="0.5" fill="currentColor" />
      <circle cx="8" cy="4.9" r="0.9" fill="currentColor" />
    </svg>
  );
}

/**
 * What storing one image changed, under its thumbnail: the icon and the notes as text (also the title, for a
 * narrow slot that cuts them short). Nothing when storing changed nothing.
 */
export function ImageNotes({ notes, testId = 'image-notes', compact = false }: { notes: readonly string[] | undefined; testId?: string; compact?: boolean }): React.JSX.Element | null {
  const list = cleanNotes(notes);
  if (list.length === 0) return null;
  return (
    <div className={`img-notes${compact ? ' img-notes-compact' : ''}`} data-testid={testId} title={list.map(noteSentence).join('\n')}>
      <NoteIcon />
      <ul>
        {list.map((n) => (
          <li key={n}>{noteSentence(n)}</li>
        ))}
      </ul>
    </div>
  );
}

/** An image import's notes grouped by kind, each group with its files (the first LISTED_FILES, then a button for the rest). */
export function ImageNoteGroups({ notes, testId = 'image-note-groups' }: { notes: readonly ImageImportNote[]; testId?: string }): React.JSX.Element | null {
  const groups = groupNotes(notes);
  if (groups.length === 0) return null;
  const files = new Set(notes.map((n) => n.file)).size;
  return (
    <div className="img-note-groups" data-testid={testId}>
      <div className="img-note-groups-head">
        What storing changed in {files.toLocaleString('en-US')} image{files === 1 ? '' : 's'}
      </div>
      <ul>
        {groups.map((g) => (
          <Group key={g.key} title={g.title} files={g.files.map(fileWithDetail)} />
        ))}
      </ul>
    </div>
  );
}

function Group({ title, files }: { title: string; files: string[] }): React.JSX.Element {
  const [all, setAll] = useState(false);
  const shown = all ? files : files.slice(0, LISTED_FILES);
  const rest = files.length - shown.length;
  return (
    <li className="img-notes" data-testid="image-note-group">
      <NoteIcon />
      <span>
        <span className="img-note-title">{title}:</span> <span className="mono img-note-files">{shown.join(', ')}</span>
        {rest > 0 ? (
          <>
            {' '}
            <button type="button" className="btn-link" onClick={() => setAll(true)}>
              and {rest.toLocaleString('en-US')} more
            </button>
          </>
        ) : null}
      </span>
    </li>
  );
}
