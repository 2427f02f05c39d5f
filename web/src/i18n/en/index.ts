import common from './common';
import auth from './auth';
import inbox from './inbox';
import conversation from './conversation';
import contact from './contact';
import settings from './settings';
import automation from './automation';
import bots from './bots';

export const en = { common, auth, inbox, conversation, contact, settings, automation, bots };
