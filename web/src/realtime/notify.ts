// Browser notification and a short sound for a new customer message in one
// of my conversations. Both are opt-in (Settings → profile / the bell in the
// sidebar); permission is asked when the user turns them on.
import type { Message } from '../api/client';

let audio: AudioContext | null = null;

/** chime plays two short notes with Web Audio: no sound file to ship. */
export function chime() {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.2, now + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.2);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.12);
      osc.stop(now + i * 0.12 + 0.22);
    }
  } catch {
    // no audio device: the notification alone will do
  }
}

export async function askNotificationPermission(): Promise<boolean> {
  if (!('Notification' in window)) return false;
  if (Notification.permission === 'granted') return true;
  return (await Notification.requestPermission()) === 'granted';
}

export function notifyNewMessage(m: Message, title: string) {
  chime();
  if (!('Notification' in window) || Notification.permission !== 'granted' || document.hasFocus()) return;
  const n = new Notification(title, { body: m.content.slice(0, 140), tag: `conversation-${m.conversation_id}` });
  n.onclick = () => {
    window.focus();
    location.assign(`/inbox/mine/${m.conversation_id}`);
  };
}
