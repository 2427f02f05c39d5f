// Every string of the widget, in both languages. pt-BR is written for
// Brazilian customers, not translated word for word from English.

export type Lang = 'pt-BR' | 'en';

const en = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  unread: '{n} new messages',
  dialog: 'Chat with {name}',
  close: 'Close',
  online: "We're online",
  offline: "We're away right now",
  helping: '{name} is helping you',
  greeting: 'Hi! How can we help?',
  searchLabel: 'Search our help centre',
  searchPlaceholder: "What's your question?",
  searching: 'Searching…',
  noResults: 'No articles found.',
  helpAsk: 'Did this answer your question?',
  yes: 'Yes',
  noTalk: 'No, talk to us',
  helpThanks: 'Great, glad we could help!',
  talkToUs: 'Talk to us',
  prechatTitle: 'Before we start, tell us a little about you.',
  name: 'Name',
  email: 'Email',
  phone: 'Phone',
  department: 'Department',
  choose: 'Choose…',
  optional: '(optional)',
  startChat: 'Start chat',
  errRequired: 'Please fill in this field.',
  errEmail: 'Enter a valid email address.',
  errPhone: 'Enter a valid phone number, with area code.',
  errContact: 'Enter an email or a phone number.',
  errGeneric: 'Something went wrong. Please try again.',
  errRate: 'Too many attempts. Please wait a moment.',
  messageLabel: 'Message',
  placeholder: 'Type your message…',
  send: 'Send',
  emoji: 'Insert emoji',
  emojiList: 'Emoji',
  attach: 'Attach a file',
  remove: 'Remove {name}',
  uploading: 'Uploading {pct}%',
  uploadFailed: "Couldn't upload {name}",
  tooBig: '{name} is larger than 10 MB.',
  typing: '{name} is typing…',
  someone: 'Someone',
  pending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
  retry: 'Retry',
  choices: 'Options',
  you: 'You',
  agent: 'Agent',
  bot: 'Virtual assistant',
  newMessages: 'New messages',
  reconnecting: 'Reconnecting…',
  offlineTitle: "We're not online right now. Leave a message and we'll get back to you as soon as possible.",
  offlineSend: 'Send message',
  offlineThanks: "Thanks! We got your message and we'll reply soon.",
  rateTitle: 'Rate this conversation',
  star: '{n} of 5 stars',
  comment: 'Comment (optional)',
  rateSubmit: 'Send rating',
  rateChoose: 'Choose a rating.',
  rateThanks: 'Thanks for your feedback!',
  download: 'Download {name}',
  attachment: 'Attachment',
};

export type Key = keyof typeof en;

const pt: Record<Key, string> = {
  openChat: 'Abrir o chat',
  closeChat: 'Fechar o chat',
  unread: '{n} mensagens novas',
  dialog: 'Chat com {name}',
  close: 'Fechar',
  online: 'Estamos online',
  offline: 'Estamos fora do horário',
  helping: '{name} está te atendendo',
  greeting: 'Olá! Como podemos ajudar?',
  searchLabel: 'Buscar na central de ajuda',
  searchPlaceholder: 'Qual é a sua dúvida?',
  searching: 'Buscando…',
  noResults: 'Nenhum artigo encontrado.',
  helpAsk: 'Isso respondeu à sua dúvida?',
  yes: 'Sim',
  noTalk: 'Não, falar com a gente',
  helpThanks: 'Que bom! Ficamos felizes em ajudar.',
  talkToUs: 'Fale conosco',
  prechatTitle: 'Antes de começar, conte um pouco sobre você.',
  name: 'Nome',
  email: 'E-mail',
  phone: 'Telefone/WhatsApp',
  department: 'Setor',
  choose: 'Selecione…',
  optional: '(opcional)',
  startChat: 'Iniciar conversa',
  errRequired: 'Preencha este campo.',
  errEmail: 'Informe um e-mail válido.',
  errPhone: 'Informe um telefone válido, com DDD.',
  errContact: 'Informe um e-mail ou telefone.',
  errGeneric: 'Algo deu errado. Tente de novo.',
  errRate: 'Muitas tentativas. Aguarde um pouco.',
  messageLabel: 'Mensagem',
  placeholder: 'Digite sua mensagem…',
  send: 'Enviar',
  emoji: 'Inserir emoji',
  emojiList: 'Emojis',
  attach: 'Anexar arquivo',
  remove: 'Remover {name}',
  uploading: 'Enviando {pct}%',
  uploadFailed: 'Não foi possível enviar {name}',
  tooBig: '{name} tem mais de 10 MB.',
  typing: '{name} está digitando…',
  someone: 'Alguém',
  pending: 'Enviando',
  sent: 'Enviada',
  delivered: 'Entregue',
  read: 'Lida',
  failed: 'Não enviada',
  retry: 'Tentar de novo',
  choices: 'Opções',
  you: 'Você',
  agent: 'Atendente',
  bot: 'Assistente virtual',
  newMessages: 'Novas mensagens',
  reconnecting: 'Reconectando…',
  offlineTitle: 'No momento não há ninguém online. Deixe sua mensagem que responderemos assim que possível.',
  offlineSend: 'Enviar mensagem',
  offlineThanks: 'Obrigado! Recebemos sua mensagem e responderemos em breve.',
  rateTitle: 'Avalie o atendimento',
  star: '{n} de 5 estrelas',
  comment: 'Comentário (opcional)',
  rateSubmit: 'Enviar avaliação',
  rateChoose: 'Escolha uma nota.',
  rateThanks: 'Obrigado pela avaliação!',
  download: 'Baixar {name}',
  attachment: 'Anexo',
};

export const dict: Record<Lang, Record<Key, string>> = { en, 'pt-BR': pt };

// pickLang maps any language tag to one the widget speaks: Portuguese of any
// region reads pt-BR, everything else English. The first usable preference
// wins (the channel's setting, then the browser's).
export function pickLang(...prefs: (string | null | undefined)[]): Lang {
  for (const p of prefs) {
    if (!p) continue;
    const l = p.trim().toLowerCase();
    if (!l) continue;
    return l.startsWith('pt') ? 'pt-BR' : 'en';
  }
  return 'en';
}

export function translate(lang: Lang, key: Key, vars?: Record<string, string | number>): string {
  let s = dict[lang][key];
  if (vars) for (const k in vars) s = s.split('{' + k + '}').join(String(vars[k]));
  return s;
}
