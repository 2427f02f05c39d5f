// A curated, offline set of common emoji for the composer (no CDN, no
// network): [emoji, English name for search and the accessible label].

export type EmojiCategory = 'smileys' | 'gestures' | 'hearts' | 'objects' | 'nature' | 'food' | 'symbols';

export const emojiCategories: { id: EmojiCategory; icon: string; items: [string, string][] }[] = [
  {
    id: 'smileys',
    icon: '😀',
    items: [
      ['😀', 'grinning'], ['😃', 'smiley'], ['😄', 'smile'], ['😁', 'grin'], ['😆', 'laughing'], ['😅', 'sweat smile'],
      ['😂', 'joy'], ['🤣', 'rofl'], ['🙂', 'slightly smiling'], ['😉', 'wink'], ['😊', 'blush'], ['😇', 'innocent'],
      ['🥰', 'smiling with hearts'], ['😍', 'heart eyes'], ['🤩', 'star struck'], ['😘', 'kiss'], ['😋', 'yum'], ['😜', 'wink tongue'],
      ['🤗', 'hug'], ['🤭', 'hand over mouth'], ['🤔', 'thinking'], ['🤐', 'zipper mouth'], ['😐', 'neutral'], ['😑', 'expressionless'],
      ['😶', 'no mouth'], ['🙄', 'eye roll'], ['😏', 'smirk'], ['😌', 'relieved'], ['😔', 'pensive'], ['😴', 'sleeping'],
      ['😷', 'mask'], ['🤒', 'thermometer face'], ['🥳', 'party face'], ['😎', 'sunglasses'], ['🤓', 'nerd'], ['😕', 'confused'],
      ['😟', 'worried'], ['🙁', 'slightly frowning'], ['😮', 'open mouth'], ['😲', 'astonished'], ['🥺', 'pleading'], ['😢', 'cry'],
      ['😭', 'sob'], ['😱', 'scream'], ['😩', 'weary'], ['😤', 'triumph'], ['😡', 'rage'], ['🤯', 'exploding head'],
    ],
  },
  {
    id: 'gestures',
    icon: '👍',
    items: [
      ['👍', 'thumbs up'], ['👎', 'thumbs down'], ['👌', 'ok hand'], ['✌️', 'victory'], ['🤞', 'crossed fingers'], ['🤝', 'handshake'],
      ['👏', 'clap'], ['🙌', 'raised hands'], ['👋', 'wave'], ['🙏', 'pray thanks'], ['💪', 'muscle'], ['👉', 'point right'],
      ['👈', 'point left'], ['👆', 'point up'], ['👇', 'point down'], ['✋', 'raised hand'], ['🤙', 'call me'], ['🫶', 'heart hands'],
      ['👀', 'eyes'], ['🤷', 'shrug'], ['🙋', 'raising hand'], ['🙇', 'bow'], ['💁', 'tipping hand'], ['🤦', 'facepalm'],
    ],
  },
  {
    id: 'hearts',
    icon: '❤️',
    items: [
      ['❤️', 'red heart'], ['🧡', 'orange heart'], ['💛', 'yellow heart'], ['💚', 'green heart'], ['💙', 'blue heart'], ['💜', 'purple heart'],
      ['🖤', 'black heart'], ['🤍', 'white heart'], ['💔', 'broken heart'], ['💕', 'two hearts'], ['💖', 'sparkling heart'], ['💯', 'hundred'],
    ],
  },
  {
    id: 'objects',
    icon: '📦',
    items: [
      ['📦', 'package'], ['🚚', 'delivery truck'], ['🛒', 'shopping cart'], ['🛍️', 'shopping bags'], ['💳', 'credit card'], ['💰', 'money bag'],
      ['💵', 'dollar'], ['🧾', 'receipt'], ['📄', 'document'], ['📎', 'paperclip'], ['📅', 'calendar'], ['⏰', 'alarm clock'],
      ['⏳', 'hourglass'], ['📞', 'telephone'], ['📱', 'mobile phone'], ['💻', 'laptop'], ['📧', 'email'], ['✉️', 'envelope'],
      ['🔑', 'key'], ['🔒', 'lock'], ['🎁', 'gift'], ['🎉', 'party popper'], ['🎊', 'confetti'], ['🏆', 'trophy'],
      ['📌', 'pushpin'], ['📍', 'location pin'], ['🔧', 'wrench'], ['🏷️', 'label tag'], ['📝', 'memo'], ['📊', 'chart'],
    ],
  },
  {
    id: 'nature',
    icon: '🌞',
    items: [
      ['🌞', 'sun'], ['🌙', 'moon'], ['⭐', 'star'], ['🌟', 'glowing star'], ['✨', 'sparkles'], ['⚡', 'lightning'],
      ['🔥', 'fire'], ['🌈', 'rainbow'], ['☔', 'umbrella rain'], ['❄️', 'snowflake'], ['🌸', 'blossom'], ['🌻', 'sunflower'],
      ['🌹', 'rose'], ['🍀', 'four leaf clover'], ['🌱', 'seedling'], ['🐶', 'dog'], ['🐱', 'cat'], ['🦋', 'butterfly'],
    ],
  },
  {
    id: 'food',
    icon: '☕',
    items: [
      ['☕', 'coffee'], ['🍕', 'pizza'], ['🍔', 'burger'], ['🍟', 'fries'], ['🍰', 'cake'], ['🎂', 'birthday cake'],
      ['🍫', 'chocolate'], ['🍎', 'apple'], ['🍌', 'banana'], ['🍓', 'strawberry'], ['🍺', 'beer'], ['🥂', 'cheers'],
    ],
  },
  {
    id: 'symbols',
    icon: '✅',
    items: [
      ['✅', 'check mark button'], ['☑️', 'ballot check'], ['✔️', 'check'], ['❌', 'cross mark'], ['❗', 'exclamation'], ['❓', 'question'],
      ['⚠️', 'warning'], ['🚫', 'prohibited'], ['⛔', 'no entry'], ['🆗', 'ok button'], ['🆕', 'new button'], ['🔔', 'bell'],
      ['➡️', 'right arrow'], ['⬅️', 'left arrow'], ['⬆️', 'up arrow'], ['⬇️', 'down arrow'], ['🔄', 'arrows counterclockwise'], ['🔴', 'red circle'],
      ['🟡', 'yellow circle'], ['🟢', 'green circle'], ['🔵', 'blue circle'], ['💬', 'speech balloon'], ['🕐', 'one o clock'], ['🆘', 'sos'],
    ],
  },
];

export const emojiCount = emojiCategories.reduce((n, c) => n + c.items.length, 0);
