// Attachments of the message being written: each file uploads at once
// (POST /api/v1/attachments with progress) and its id goes with the message.
import { useCallback, useEffect, useRef, useState } from 'react';
import { upload, type Attachment } from '../../../api/client';

export const maxAttachments = 10;

export interface UploadItem {
  key: string;
  name: string;
  size: number;
  type: string;
  progress: number;
  status: 'uploading' | 'done' | 'error';
  attachment?: Attachment;
  error?: string;
  preview?: string; // object URL of an image, for the chip's thumbnail
}

let seq = 0;

export function useUploads(onError: (name: string, err: unknown) => void, onTooMany: () => void) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const live = useRef(new Set<string>());
  const countRef = useRef(0);
  countRef.current = items.length;

  const patch = useCallback((key: string, p: Partial<UploadItem>) => {
    setItems((list) => list.map((it) => (it.key === key ? { ...it, ...p } : it)));
  }, []);

  const add = useCallback(
    (files: { blob: Blob; name: string }[]) => {
      const room = maxAttachments - countRef.current;
      if (files.length > room) onTooMany();
      const take = files.slice(0, Math.max(0, room));
      if (!take.length) return;
      const fresh: UploadItem[] = take.map(({ blob, name }) => ({
        key: `u${++seq}`,
        name,
        size: blob.size,
        type: blob.type,
        progress: 0,
        status: 'uploading',
        preview: blob.type.startsWith('image/') ? URL.createObjectURL(blob) : undefined,
      }));
      countRef.current += fresh.length;
      setItems((list) => [...list, ...fresh]);
      fresh.forEach((it, i) => {
        live.current.add(it.key);
        upload(take[i].blob, it.name, (f) => live.current.has(it.key) && patch(it.key, { progress: f }))
          .then((a) => live.current.has(it.key) && patch(it.key, { status: 'done', progress: 1, attachment: a }))
          .catch((err: unknown) => {
            if (!live.current.has(it.key)) return;
            patch(it.key, { status: 'error', error: err instanceof Error ? err.message : String(err) });
            onError(it.name, err);
          });
      });
    },
    [patch, onError, onTooMany],
  );

  const remove = useCallback((key: string) => {
    live.current.delete(key);
    setItems((list) => {
      const it = list.find((x) => x.key === key);
      if (it?.preview) URL.revokeObjectURL(it.preview);
      return list.filter((x) => x.key !== key);
    });
  }, []);

  const clear = useCallback(() => {
    live.current.clear();
    setItems((list) => {
      list.forEach((it) => it.preview && URL.revokeObjectURL(it.preview));
      return [];
    });
  }, []);

  // forget object URLs when the conversation closes
  const itemsRef = useRef(items);
  itemsRef.current = items;
  useEffect(
    () => () => {
      itemsRef.current.forEach((it) => it.preview && URL.revokeObjectURL(it.preview));
    },
    [],
  );

  const uploading = items.some((it) => it.status === 'uploading');
  const ready = items.filter((it) => it.status === 'done' && it.attachment).map((it) => it.attachment!.id);
  return { items, add, remove, clear, uploading, ready };
}

export type Uploads = ReturnType<typeof useUploads>;

/** namedFiles gives pasted or dropped files a usable name. */
export function namedFiles(files: FileList | File[] | null | undefined, now = Date.now()): { blob: Blob; name: string }[] {
  return Array.from(files ?? []).map((f, i) => {
    const ext = (f.type.split('/')[1] ?? 'bin').replace(/[^a-z0-9]/gi, '') || 'bin';
    const name = f.name && f.name !== 'image.png' ? f.name : `pasted-${now}${i ? `-${i}` : ''}.${ext}`;
    return { blob: f, name };
  });
}
