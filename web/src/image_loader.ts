// Fetches and decodes image files ahead of time. The file route needs the Authorization header,
// which an <img src> cannot send, so bytes come through fetch and are decoded from a blob URL;
// a decoded image then appears on the canvas without a visible load.
import { Api } from './api';

export interface LoadedBitmap {
  element: HTMLImageElement;
  release(): void;
}

export async function loadBitmap(api: Api, imageId: number): Promise<LoadedBitmap> {
  const blob = await api.imageFile(imageId);
  const url = URL.createObjectURL(blob);
  const element = new Image();
  element.src = url;
  try {
    await element.decode();
  } catch (error) {
    URL.revokeObjectURL(url);
    throw new Error(`image ${imageId} could not be decoded by the browser (${String(error)})`, {
      cause: error,
    });
  }
  return { element, release: () => URL.revokeObjectURL(url) };
}
