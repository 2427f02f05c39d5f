// How to preview an attachment. The server sniffs the content type, and a
// WebM or Ogg voice message sniffs as video: the file name settles it.

export type MediaKind = 'image' | 'audio' | 'video' | 'file';

const audioName = /(^voice-)|\.(mp3|m4a|oga|ogg|opus|wav|aac|weba|amr|flac)$/i;

export function mediaKind(contentType: string, filename: string): MediaKind {
  const type = contentType.toLowerCase().split(';')[0].trim();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return audioName.test(filename) ? 'audio' : 'video';
  if (type === 'application/ogg') return 'audio';
  return 'file';
}
