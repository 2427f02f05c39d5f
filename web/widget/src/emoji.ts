// A small curated set, bundled: no emoji font or picker is downloaded.
export const EMOJI = [
  '😀', '🙂', '😊', '😂', '😅', '😉', '😍', '😎', '🤔', '😮', '😢', '😡',
  '👍', '👎', '👏', '🙏', '🙌', '👋', '🤝', '👀', '❤️', '🎉', '✅', '❌',
  '⭐', '🔥', '💡', '📦', '📞', '📧', '💰', '🕒',
];
