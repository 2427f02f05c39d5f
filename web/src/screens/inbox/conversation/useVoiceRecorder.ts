// Voice messages: MediaRecorder with the best audio format the browser has
// (Opus in WebM where possible), a running timer, stop (→ a file) or cancel.
import { useCallback, useEffect, useRef, useState } from 'react';

const candidates = ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/mp4'];

export function pickMime(isSupported: (t: string) => boolean): string {
  return candidates.find((t) => isSupported(t)) ?? '';
}

export function extensionFor(mime: string): string {
  if (mime.includes('ogg')) return 'ogg';
  if (mime.includes('mp4')) return 'm4a';
  return 'webm';
}

export function useVoiceRecorder(onDone: (file: { blob: Blob; name: string }) => void, onFail: (err: unknown) => void) {
  const [recording, setRecording] = useState(false);
  const [seconds, setSeconds] = useState(0);
  const rec = useRef<MediaRecorder | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const chunks = useRef<Blob[]>([]);
  const keep = useRef(false);
  const started = useRef(0);
  const supported = typeof window !== 'undefined' && typeof window.MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;

  const release = () => {
    stream.current?.getTracks().forEach((tr) => tr.stop());
    stream.current = null;
    rec.current = null;
    setRecording(false);
  };

  const start = useCallback(async () => {
    if (!supported || rec.current) return;
    try {
      const s = await navigator.mediaDevices.getUserMedia({ audio: true });
      stream.current = s;
      const mime = pickMime((t) => MediaRecorder.isTypeSupported(t));
      const r = new MediaRecorder(s, mime ? { mimeType: mime } : undefined);
      chunks.current = [];
      keep.current = false;
      r.ondataavailable = (e) => e.data.size > 0 && chunks.current.push(e.data);
      r.onstop = () => {
        const type = r.mimeType || mime || 'audio/webm';
        if (keep.current && chunks.current.length) {
          const blob = new Blob(chunks.current, { type: type.split(';')[0] });
          onDone({ blob, name: `voice-${Date.now()}.${extensionFor(type)}` });
        }
        chunks.current = [];
        release();
      };
      rec.current = r;
      r.start(250);
      started.current = Date.now();
      setSeconds(0);
      setRecording(true);
    } catch (err) {
      release();
      onFail(err);
    }
  }, [supported, onDone, onFail]);

  const stop = useCallback(() => {
    keep.current = true;
    if (rec.current?.state !== 'inactive') rec.current?.stop();
  }, []);

  const cancel = useCallback(() => {
    keep.current = false;
    if (rec.current && rec.current.state !== 'inactive') rec.current.stop();
    else release();
  }, []);

  useEffect(() => {
    if (!recording) return;
    const h = setInterval(() => setSeconds((Date.now() - started.current) / 1000), 250);
    return () => clearInterval(h);
  }, [recording]);

  // leaving the conversation discards a running recording and frees the microphone
  useEffect(
    () => () => {
      keep.current = false;
      if (rec.current && rec.current.state !== 'inactive') rec.current.stop();
      stream.current?.getTracks().forEach((tr) => tr.stop());
    },
    [],
  );

  return { supported, recording, seconds, start, stop, cancel };
}
