import type { InboxRoute } from '../route';
import type { InboxChrome } from '../InboxScreen';

export function ConversationPane(props: { route: InboxRoute; chrome: InboxChrome }) {
  void props;
  return <div>ConversationPane</div>;
}
