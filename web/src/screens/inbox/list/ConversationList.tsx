import type { InboxRoute } from '../route';
import type { InboxChrome } from '../InboxScreen';

export function ConversationList(props: { route: InboxRoute; chrome: InboxChrome }) {
  void props;
  return <div>ConversationList</div>;
}
