// The images.* command handlers.
import type { imagesCommands } from '../../shared/images.schema';
import { CoreError } from '../coreError';
import type { HandlersFor } from '../handlerMap';
import type { ImageStore } from './imageStore';

export type ImagesHandlers = HandlersFor<typeof imagesCommands>;

/** Strict base64 (Node's decoder skips what it does not understand, which would store a different image). */
function decodeBase64(name: string, s: string): Buffer {
  const body = s.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 === 1) throw new CoreError('BAD_INPUT', `${name}: dataBase64 is not valid base64`);
  return Buffer.from(body, 'base64');
}

export function imagesHandlers(images: ImageStore): ImagesHandlers {
  return {
    'images.add': ({ path }) => images.add(path),
    'images.addData': ({ name, dataBase64 }) => images.addData(name, decodeBase64(name, dataBase64)),
    'images.get': ({ hash }) => images.get(hash),
    'images.thumbnail': async ({ hash, size }) => ({ dataUrl: await images.thumbnail(hash, size) }),
    'images.preview': async ({ hash, maxPixels }) => {
      const { data, ...info } = await images.prepare(hash, maxPixels);
      return { ...info, dataUrl: `data:${info.mime};base64,${data.toString('base64')}` };
    },
  };
}
