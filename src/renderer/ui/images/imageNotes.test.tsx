// Grouping and wording of what storing changed, on the notes as the core words them (core/images/prepare.ts),
// and the two components rendered to markup.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { attachedFromStored } from './imagePrompt';
import { cleanNotes, formatGroup, groupNotes, noteKind } from './imageNotes';
import { ImageNoteGroups, ImageNotes } from './ImageNotes';

const ANIM = (fmt: string, n: number) => `animated ${fmt} with ${n} frames: only the first frame is kept`;
const FLAT = 'transparent areas flattened onto white';

describe('import notes grouped by kind', () => {
  it('puts animations of every format in one group, keeping each file’s frame count, largest group first', () => {
    const groups = groupNotes([
      { file: 'a.png', note: FLAT },
      { file: 'b.webp', note: ANIM('WEBP', 3) },
      { file: 'c.png', note: ANIM('PNG (APNG)', 12) },
      { file: 'c.png', note: FLAT },
      { file: 'd.webp', note: ANIM('WEBP', 2) },
    ]);
    expect(groups.map((g) => g.title)).toEqual(['3 animated images: first frame kept', '2 images with transparency: flattened onto white']);
    expect(formatGroup(groups[0]!)).toBe('3 animated images: first frame kept: b.webp (3 frames), c.png (12 frames), d.webp (2 frames)');
    expect(formatGroup(groups[1]!)).toBe('2 images with transparency: flattened onto white: a.png, c.png');
  });

  it('says one image in the singular and names the profile a file was converted from', () => {
    const [g] = groupNotes([{ file: 'p3.jpg', note: 'colours converted from its embedded profile (Display P3) to sRGB' }]);
    expect(formatGroup(g!)).toBe('1 image with a colour profile: converted to sRGB: p3.jpg (Display P3)');
    expect(noteKind('colours converted from its embedded profile to sRGB').key).toBe('profile');
  });

  it('knows every note the core writes, and groups an unknown one by its text instead of dropping it', () => {
    const known = [ANIM('GIF', 4), 'turned upright (EXIF orientation 6)', 'CMYK colours converted to sRGB with its embedded profile', 'CMYK colours converted to sRGB',
      'its embedded colour profile is unreadable and was ignored (colours taken as sRGB)', '16-bit channels reduced to 8-bit', FLAT];
    expect(known.map((n) => noteKind(n).key)).toEqual(['animated', 'orientation', 'cmyk', 'cmyk', 'bad-profile', '16-bit', 'alpha']);
    const groups = groupNotes([{ file: 'x.png', note: 'gamma corrected' }, { file: 'y.png', note: 'gamma corrected' }]);
    expect(groups.map((g) => formatGroup(g))).toEqual(['2 images: gamma corrected: x.png, y.png']);
  });

  it('lists a file once per group, and past the limit says how many more', () => {
    const notes = Array.from({ length: 11 }, (_, i) => ({ file: `f${i}.png`, note: FLAT }));
    const [g] = groupNotes([...notes, { file: 'f0.png', note: FLAT }]);
    expect(g!.files).toHaveLength(11);
    expect(formatGroup(g!, 2)).toBe('11 images with transparency: flattened onto white: f0.png, f1.png, and 9 more');
  });
});

describe('one image’s notes', () => {
  it('travel with the attached image from the stored one, without repeats or blanks', () => {
    const stored = { hash: 'a'.repeat(64), name: 'a.gif', mime: 'image/png' as const, width: 4, height: 3, bytes: 9, createdAt: 1 };
    expect(attachedFromStored({ ...stored, notes: [FLAT, ' ', FLAT] }).notes).toEqual([FLAT]);
    expect(attachedFromStored(stored)).not.toHaveProperty('notes');
    expect(cleanNotes(undefined)).toEqual([]);
  });

  it('render as text beside an icon, capitalized, and render nothing when there are none', () => {
    const html = renderToStaticMarkup(<ImageNotes notes={[ANIM('GIF', 4), FLAT]} testId="n" />);
    expect(html).toContain('data-testid="n"');
    expect(html).toContain('<svg class="img-note-icon"');
    expect(html).toContain('<li>Animated GIF with 4 frames: only the first frame is kept</li><li>Transparent areas flattened onto white</li>');
    expect(renderToStaticMarkup(<ImageNotes notes={[]} />)).toBe('');
    expect(renderToStaticMarkup(<ImageNotes notes={undefined} />)).toBe('');
  });

  it('render an import’s groups with the count of images changed and a button for the files past the limit', () => {
    const notes = Array.from({ length: 10 }, (_, i) => ({ file: `f${i}.webp`, note: ANIM('WEBP', 2) }));
    const html = renderToStaticMarkup(<ImageNoteGroups notes={[...notes, { file: 'f0.webp', note: FLAT }]} />);
    expect(html).toContain('What storing changed in 10 images');
    expect(html).toContain('10 animated images: first frame kept:</span>');
    expect(html).toContain('f7.webp (2 frames)</span>');
    expect(html).not.toContain('f8.webp');
    expect(html).toContain('and 2 more</button>');
    expect(html).toContain('1 image with transparency: flattened onto white:');
    expect(renderToStaticMarkup(<ImageNoteGroups notes={[]} />)).toBe('');
  });
});
